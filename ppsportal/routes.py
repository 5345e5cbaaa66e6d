"""The portal's routes, found by walking the URL resolver: which are API lists and which are
dashboard pages. Used by the list query-count tests (``tests/ppsportal/test_list_queries.py``),
the dashboard benchmark (``bench/b6_dashboard.py``) and the authorization matrix
(``tests/security/test_authorization_matrix.py``), so a new page is found by all three."""

from __future__ import annotations

import inspect

from django.urls import URLPattern, URLResolver, get_resolver


def every_route(resolver=None, prefix="", namespace=""):
    """(route, name with its namespaces, pattern) of every URL pattern, the admin's included."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from every_route(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def patterns():
    """(route, pattern) of every URL pattern but the admin's (its changelists are
    ``tests/ppsportal/test_admin_changelists.py``'s)."""
    for route, _name, pattern in every_route():
        if not is_admin(route):
            yield route, pattern


def is_api(route: str) -> bool:
    return route.startswith("api/v1/")


def has_arguments(route: str) -> bool:
    return "<" in route or "(?P" in route


def api_lists() -> dict[str, object]:
    """name -> callback of every API route whose GET answers a collection (path arguments
    allowed: a list action below an object counts too)."""
    found = {}
    for route, pattern in patterns():
        if not is_api(route) or "format" in route:
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        cls = getattr(pattern.callback, "cls", None)
        action = getattr(cls, actions.get("get") or "", None)
        if (
            _pages_its_get(cls)
            or actions.get("get") == "list"
            or (action is not None and _may_page(cls, action))
        ):
            found[pattern.name] = pattern.callback
    return found


def _may_page(cls, action) -> bool:
    """A GET action (not ``list`` or ``retrieve``) on the collection, or on one object keeping
    the viewset's pagination: each such action is classified, a list or not."""
    if not hasattr(action, "mapping"):  # list, retrieve: not an extra action
        return False
    if action.detail is False:  # a collection of its own
        return True
    default = getattr(cls, "pagination_class", None)
    return action.kwargs.get("pagination_class", default) is not None


def _pages_its_get(cls) -> bool:
    """A plain API view (not a viewset) whose GET answers a page of rows: it pages in its own
    code or in a base class of the project's (``partnerships.api.shares._SharesView``)."""
    if getattr(cls, "get", None) is None:
        return False
    own = [k for k in cls.__mro__ if k.__module__.split(".")[0] in _PROJECT]
    return any("paginate_queryset" in inspect.getsource(k) for k in own)


_PROJECT = {"alerts", "interop", "partnerships", "ppsportal", "preparedness", "sso", "threats"}


def dashboard_routes() -> dict[str, str]:
    """name -> route of every pattern without path arguments, API lists aside."""
    found = {}
    lists = api_lists()
    for route, pattern in patterns():
        if has_arguments(route) or "format" in route:
            continue
        if is_api(route) and pattern.name in lists:
            continue
        found[pattern.name] = route
    return found


def dashboard_routes_with_arguments() -> dict[str, str]:
    """name -> route of every dashboard pattern with path arguments (the API's aside)."""
    return {
        pattern.name: route
        for route, pattern in patterns()
        if has_arguments(route) and not is_api(route) and "format" not in route
    }
