"""The portal's routes, found by walking the URL resolver: which are API lists and which are
dashboard pages. Used by the list query-count tests (``tests/ppsportal/test_list_queries.py``)
and the dashboard benchmark (``bench/b6_dashboard.py``), so a new page is found by both."""

from __future__ import annotations

import inspect

from django.urls import URLResolver, get_resolver


def patterns(resolver=None, prefix=""):
    """(route, pattern) of every URL pattern but the admin's."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) == "admin/":
                continue  # the admin's changelists: tests/ppsportal/test_admin_changelists.py
            yield from patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


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
