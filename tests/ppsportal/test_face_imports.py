"""Apps share face code through the core, never through each other's faces.

A face module is an app's ``api``, ``admin`` or ``views`` (a package or a module named so, e.g.
``threats.api.levels``, ``threats.views_reports``, ``preparedness.api_library``). Shared face
helpers (pagination, ordering, error responses, not-found, reference fields, the admin dry-run
base, private downloads) live in ``ppsportal.api``, ``ppsportal.admin`` and
``ppsportal.downloads``. Module-level imports and imports inside functions both count.
``ppsportal.urls``, the composition root, is the one module that names every app's views.

The core's face helpers name no app: the actor comes from ``ppsportal.actors`` (provided by
``partnerships`` in its ``AppConfig.ready``), references to an app's own objects are that app's
``drf`` module (``partnerships.drf``, ``threats.drf``), the admin's trace of sensitive reads is
``partnerships.sharing.admin``.
"""

from __future__ import annotations

import re

from tests.ppsportal.test_import_cycles import _graph, _modules

APPS = ("alerts", "interop", "partnerships", "preparedness", "sso", "threats")
FACE = re.compile(r"^(?P<app>[a-z_]+)\.(api|admin|views)(_[a-z_]+)?(\.|$)")
COMPOSITION_ROOT = {"ppsportal.urls"}


def _app_of(module: str) -> str:
    return module.split(".")[0]


def test_no_app_imports_another_apps_face():
    graph = _graph(deferred=True)
    crossings = sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        if source not in COMPOSITION_ROOT
        for target in targets
        if (face := FACE.match(target)) and face["app"] in APPS and face["app"] != _app_of(source)
    )
    assert not crossings, "face code shared across apps (move it to the core):\n" + "\n".join(
        crossings
    )


def test_the_face_helpers_live_in_the_core():
    modules = _modules()
    for moved in (
        "partnerships.api.common",
        "partnerships.admin.base",
        "threats.api.common",
        "threats.admin.common",
    ):
        assert moved not in modules, f"{moved} is back: its helpers live in the core"
    for helper in (
        "ppsportal.api.common",
        "ppsportal.api.fields",
        "ppsportal.api.examples",
        "ppsportal.admin.base",
        "ppsportal.admin.common",
        "ppsportal.downloads",
    ):
        assert helper in modules
    graph = _graph(deferred=True)
    users = {
        _app_of(source)
        for source, targets in graph.items()
        if targets & {"ppsportal.api.common", "ppsportal.admin.base"}
    }
    assert {"alerts", "partnerships", "preparedness", "threats"} <= users, users


def test_one_private_download():
    """The private-file download is written once: no face builds a FileResponse of its own."""
    graph = _graph(deferred=True)
    modules = _modules()
    builders = sorted(
        name
        for name, path in modules.items()
        if "FileResponse(" in path.read_text(encoding="utf-8")
    )
    assert builders == ["ppsportal.downloads"], builders
    assert {"partnerships.views", "threats.views", "threats.services_reports"} <= {
        source for source, targets in graph.items() if "ppsportal.downloads" in targets
    }


CORE_FACE_HELPERS = re.compile(
    r"^ppsportal\.(api|admin)(\.|$)|^ppsportal\.(downloads|actors|transactions)$"
)


def test_the_core_face_helpers_import_no_app():
    """``ppsportal/api/``, ``ppsportal/admin/``, ``ppsportal/downloads.py`` and the two helpers
    they lean on (``actors``, ``transactions``) import no domain app, at module level or in a
    function."""
    graph = _graph(deferred=True)
    helpers = sorted(name for name in graph if CORE_FACE_HELPERS.match(name))
    assert {"ppsportal.api.common", "ppsportal.admin.base", "ppsportal.downloads"} <= set(helpers)
    crossings = sorted(
        f"{source} imports {target}"
        for source in helpers
        for target in graph[source]
        if _app_of(target) in APPS
    )
    assert not crossings, "the core depends on an app:\n" + "\n".join(crossings)


def test_an_apps_published_drf_pieces_import_no_face():
    """``partnerships.drf``, ``threats.drf`` and ``partnerships.sharing.drf``/``admin`` are what
    other apps' faces may import of an app: they themselves import no face of any app."""
    graph = _graph(deferred=True)
    published = [
        "partnerships.drf",
        "threats.drf",
        "partnerships.sharing.drf",
        "partnerships.sharing.admin",
    ]
    crossings = sorted(
        f"{source} imports {target}"
        for source in published
        for target in graph[source]
        if (face := FACE.match(target)) and face["app"] in APPS
    )
    assert not crossings, crossings


def test_the_actor_is_provided_by_partnerships():
    from partnerships.selectors import actor_for
    from ppsportal import actors

    assert actors._provider is actor_for


def test_checker_sees_a_crossing():
    assert CORE_FACE_HELPERS.match("ppsportal.api.common")
    assert CORE_FACE_HELPERS.match("ppsportal.admin")
    assert CORE_FACE_HELPERS.match("ppsportal.downloads")
    assert not CORE_FACE_HELPERS.match("ppsportal.urls")
    assert FACE.match("threats.admin.levels")["app"] == "threats"
    assert FACE.match("threats.views_reports")
    assert FACE.match("preparedness.api_library")
    assert not FACE.match("threats.services")
    assert not FACE.match("threats.selectors")
