"""Each rule of the portal lives in one function (docs/architecture.md, "Where each rule lives");
the faces (dashboard views, board, API, admin, templates) ask it and never restate it. These
checks read the source: they fail when a copy comes back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from alerts import policy
from alerts.api import common as alerts_api_common

ROOT = Path(__file__).resolve().parents[2]
APPS = ("alerts", "partnerships", "threats", "preparedness", "interop", "ppsportal")


def python_files(*apps):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def is_face(path: Path) -> bool:
    """Dashboard and board views, API, admin, forms and templates tags: the faces."""
    rel = path.relative_to(ROOT).as_posix()
    name = path.name
    return (
        "/api/" in rel
        or "/admin/" in rel
        or name.startswith("views")
        or name in {"admin.py", "forms.py", "drf.py"}
        or "/templatetags/" in rel
    )


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_acknowledgement_deadline_is_computed_only_by_the_policy():
    """``ack_deadline_minutes`` turned into a time (``timedelta(minutes=…ack_deadline_minutes)``)
    only in ``alerts.policy.ack_deadline``."""
    pattern = re.compile(r"timedelta\([^)]*ack_deadline_minutes")
    offenders = [
        rel(p)
        for p in python_files("alerts")
        if pattern.search(p.read_text()) and rel(p) != "alerts/policy.py"
    ]
    assert offenders == []


def test_who_may_acknowledge_is_asked_not_restated():
    """No face decides on its own who may acknowledge: no ``Capability.WRITE`` and no role name
    in the alerts faces, which ask ``alerts.policy.may_acknowledge`` (through the service)."""
    offenders = [
        rel(p)
        for p in python_files("alerts")
        if is_face(p) and re.search(r"Capability\.WRITE|\.can\(", p.read_text())
    ]
    assert offenders == []


def test_the_state_machine_has_one_table():
    """Services raise the lifecycle refusals through ``policy.refusal``/``check_step``; no
    module spells a state refusal's code itself, and the admin buttons carry no statuses."""
    codes = {*policy.CONFLICT_CODES, "no_change"}
    offenders = []
    for path in python_files("alerts"):
        if rel(path) == "alerts/policy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code":
                value = node.value
                if isinstance(value, ast.Constant) and value.value in codes:
                    offenders.append(f"{rel(path)}:{node.value.lineno} code={value.value!r}")
    assert offenders == []
    assert "shown_when" not in (ROOT / "alerts/admin/lifecycle.py").read_text()
    board = (ROOT / "alerts/templates/alerts/board_detail.html").read_text()
    assert 'alert.status == "draft" or' not in board


def test_the_api_conflicts_are_the_policys_state_refusals():
    """Every refusal the policy marks as a state conflict answers 409, none by a hand list."""
    assert alerts_api_common.CONFLICT_CODES is policy.CONFLICT_CODES
    source = (ROOT / "alerts/api/common.py").read_text()
    assert not re.search(r'"not_draft"|"wrong_status"|"not_open"', source)
    raised = {
        policy._RAISED_AS.get(name, name) for name, kind in policy.REFUSALS.items() if kind.conflict
    }
    assert raised == set(policy.CONFLICT_CODES)


def test_the_channel_choice_has_one_python_form():
    """The fallback chain (preference, organisation default, built-in) is only in the policy;
    ``DEFAULT_CHANNELS`` is read there and nowhere else."""
    offenders = [
        rel(p)
        for p in python_files("alerts")
        if "DEFAULT_CHANNELS" in p.read_text()
        and rel(p) not in {"alerts/policy.py", "alerts/models/__init__.py"}
        and "alerts/models/" not in rel(p)
    ]
    assert offenders == []


def test_no_face_filters_by_covenant_state():
    """The footing (in force, still a signatory, clause allows) is
    ``partnerships.sharing.footing``; no face imports ``Covenant``/``CovenantSignatory`` to
    filter by it (``in_force``, ``withdrawn_on``, ``terminated_on``, ``information_clause``)."""
    pattern = re.compile(
        r"Covenant(Signatory)?\.objects\.(in_force|filter\([^)]*"
        r"(withdrawn_on|terminated_on|information_clause|effective_))"
    )
    offenders = [
        rel(p)
        for p in python_files(*APPS)
        if rel(p) != "partnerships/sharing/footing.py"
        and is_face(p)
        and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_the_staff_check_is_one_function():
    """``partnerships.policy.require_nctv_staff`` is the only writer-side staff check: no service
    defines a ``_require_staff`` of its own."""
    offenders = []
    for path in python_files(*APPS):
        if not (path.name.startswith("services") or "/services/" in rel(path)):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "_require_staff":
                offenders.append(rel(path))
    assert offenders == []


def test_the_drf_permission_asks_may_share():
    source = (ROOT / "partnerships/sharing/drf.py").read_text()
    assert "may_share(" in source and "owner_field" not in source


FACE_TRANSACTION = re.compile(r"transaction\.(atomic|savepoint|set_autocommit)|import atomic")


def is_face_or_form(path: Path) -> bool:
    """A face as above, or a module named ``api*``, ``views*``, ``forms*`` or ``admin*``."""
    return is_face(path) or path.name.startswith(("api", "views", "forms", "admin"))


def test_no_face_opens_a_transaction():
    """Services own their transaction; no dashboard view, board, API, admin or form module in
    any app or the core opens one (``transaction.atomic``, a savepoint, autocommit). The admin's
    dry run is ``ppsportal.transactions.dry_run``, outside the faces."""
    offenders = [
        rel(p)
        for p in python_files(*APPS, "sso")
        if is_face_or_form(p) and FACE_TRANSACTION.search(p.read_text())
    ]
    assert offenders == []
    assert "transaction.atomic" in (ROOT / "ppsportal/transactions.py").read_text()


def test_the_face_check_sees_a_transaction():
    for name in ("threats/api/targets.py", "ppsportal/admin/base.py", "threats/views.py"):
        assert is_face_or_form(ROOT / name), name
    assert is_face_or_form(ROOT / "preparedness/api_library.py")
    assert is_face_or_form(ROOT / "threats/forms_map.py")
    assert not is_face_or_form(ROOT / "threats/services_register.py")
    assert FACE_TRANSACTION.search("        with transaction.atomic():")
    assert FACE_TRANSACTION.search("from django.db.transaction import atomic")


def _declares_public_id_ref(node: ast.ClassDef) -> bool:
    """A ``ModelSerializer`` declaring ``id`` as its object's ``public_id`` and listing two fields:
    a reference (``{"id", "name"}``) written out again."""
    direct = any(ast.unparse(base) == "serializers.ModelSerializer" for base in node.bases)
    public_id = any(
        isinstance(stmt, ast.Assign)
        and [ast.unparse(t) for t in stmt.targets] == ["id"]
        and "source='public_id'" in ast.unparse(stmt.value)
        for stmt in node.body
    )
    meta = next((s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None)
    fields = [
        s.value
        for s in (meta.body if meta else [])
        if isinstance(s, ast.Assign) and [ast.unparse(t) for t in s.targets] == ["fields"]
    ]
    two = bool(fields) and isinstance(fields[0], ast.List) and len(fields[0].elts) == 2
    return direct and public_id and two


def test_a_reference_to_an_object_is_one_serializer_shape():
    """``{"id": public id, "name"|"title"}``, read only, is ``ppsportal.api.common.
    PublicRefSerializer``; the apps' ``drf`` modules name a model and its label, nothing else."""
    offenders = [
        f"{rel(path)}:{node.name}"
        for path in python_files(*APPS, "sso")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and _declares_public_id_ref(node)
    ]
    assert offenders == []


def test_the_reference_check_sees_a_copy():
    copy = ast.parse(
        "class CovenantRefSerializer(serializers.ModelSerializer):\n"
        "    id = serializers.UUIDField(source='public_id', read_only=True)\n"
        "    class Meta:\n"
        "        model = Covenant\n"
        "        fields = ['id', 'title']\n"
    ).body[0]
    assert _declares_public_id_ref(copy)


REFUSALS = {"has_add_permission", "has_change_permission", "has_delete_permission"}


def _flat_refusals(tree) -> list[str]:
    """Admin permission methods whose whole body is ``return False``: a refusal written again."""
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.name in REFUSALS
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Return)
        and ast.unparse(node.body[0].value) == "False"
    ]


def test_admin_refusals_are_decided_once():
    """An admin that nobody adds to, changes or deletes in says so by naming a mixin of
    ``ppsportal.admin.base`` (``NoAddMixin``, ``NoChangeMixin``, ``NoDeleteMixin``,
    ``ReadOnlyMixin``), never by writing the refusal again."""
    offenders = [
        f"{rel(path)}:{name}"
        for path in python_files(*APPS, "sso")
        if rel(path) != "ppsportal/admin/base.py"
        for name in _flat_refusals(ast.parse(path.read_text()))
    ]
    assert offenders == []
    assert _flat_refusals(
        ast.parse("def has_delete_permission(self, r, obj=None):\n    return False")
    )
