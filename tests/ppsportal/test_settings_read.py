"""Settings are declared once, in ppsportal/settings.py with their defaults, and read when used.

A ``getattr(settings, "X", default)`` elsewhere is a second default that drifts from the first
(or hides a setting that was never declared); a module constant computed from a setting at
import freezes it, so ``override_settings`` and a test's ``settings`` fixture cannot change it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "bench", "var", "node_modules", "migrations"}


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP.intersection(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        if relative.parts[0] == "ppsportal" and relative.name.startswith("settings"):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(relative))


def _is_settings(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "settings"


def _reads_settings(node: ast.AST) -> bool:
    return any(
        (isinstance(inner, ast.Attribute) and _is_settings(inner.value))
        or (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id == "getattr"
            and inner.args
            and _is_settings(inner.args[0])
        )
        for inner in ast.walk(node)
    )


def test_no_setting_has_a_second_default_outside_settings():
    found = []
    for relative, tree in project_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) == 3
                and _is_settings(node.args[0])
            ):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "declare the setting in ppsportal/settings.py and read settings.X:\n" + (
        "\n".join(found)
    )


def test_no_module_freezes_a_setting_at_import():
    found = []
    for relative, tree in project_modules():
        for node in tree.body:  # module level only: functions and classes read at call time
            value = getattr(node, "value", None)
            if isinstance(node, ast.Assign | ast.AnnAssign) and value and _reads_settings(value):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "read the setting where it is used, not at import:\n" + "\n".join(found)


def test_every_setting_the_code_reads_is_declared():
    """``settings.X`` for an X that settings.py does not declare would raise at call time in
    one code path only; find them all here."""
    missing = []
    for relative, tree in project_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_settings(node.value):
                name = node.attr
                if name.isupper() and not hasattr(settings, name):
                    missing.append(f"{relative}:{node.lineno}: settings.{name}")
    assert not missing, "\n".join(missing)
