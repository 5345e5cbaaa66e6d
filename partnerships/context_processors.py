from partnerships.selectors import actor_for


def portal(request):
    """The signed-in actor for every template (organisation, role, NCTV staff or not) and the
    navigation it sees."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actor": None}
    from ppsportal.navigation import navigation_for

    actor = actor_for(user)
    match = getattr(request, "resolver_match", None)
    return {"actor": actor, "navigation": navigation_for(actor, match.view_name if match else None)}
