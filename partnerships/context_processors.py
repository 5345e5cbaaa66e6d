from partnerships.selectors import actor_for


def portal(request):
    """The signed-in actor for every template: organisation, role, NCTV staff or not."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actor": None}
    return {"actor": actor_for(user)}
