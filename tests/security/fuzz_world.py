"""The data the API fuzzing runs against, built through the services on top of the alerts world:
an AMBER alert delivered to partner A, soft targets with a report, a GREEN and an AMBER threat
assessment, a contact entry with an action, a webhook; and for each role its token and the ids
of objects it can name in a path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS

from alerts import delivery as engine
from alerts.models import Delivery
from alerts.webhooks import webhook_create
from partnerships.services import contacts as contact_services
from tests.alerts.conftest import pending_ids
from tests.threats.dashboard_world import build_register
from threats import services as threat_services


@dataclass
class Role:
    name: str
    user: object
    token: str
    ids: dict[str, str] = field(default_factory=dict)

    def ensure_token(self) -> None:
        """A new token when a fuzzed call revoked this one."""
        if not AuthToken.objects.filter(
            token_key=self.token[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).exists():
            _instance, self.token = AuthToken.objects.create(user=self.user)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", "Accept-Language": "en"}


def build_fuzz_world(world, fake_dns) -> list[Role]:
    today = timezone.localdate()
    alert = world.published(tlp="amber", organisations=[world.org_a])
    engine.deliver(pending_ids(alert))
    register = build_register(
        operator_a=world.admin_a, org_a=world.org_a, operator_b=world.admin_b, org_b=world.org_b
    )
    report = threat_services.report_create(
        by=world.admin_a,
        soft_target=register.target_a,
        kind="suspicious_situation",
        what="Iemand filmde de toegangspoorten.",
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    green = threat_services.assessment_create(
        by=world.author,
        title="Dreigingsbeeld evenementen",
        summary="Algemeen beeld.",
        valid_from=today,
        tlp="green",
    )
    threat_services.assessment_create(
        by=world.author, title="Vertrouwelijk", summary="AMBER.", valid_from=today, tlp="amber"
    )
    contact = contact_services.contact_create(
        partnership=world.partnership,
        by=world.admin_a,
        occurred_on=today,
        kind="meeting",
        summary="Overleg over de winterstop.",
        participants=[world.org_a, world.org_b],
        actions=[{"description": "Camera 7 richten", "owner": world.org_a, "due_on": today}],
    )
    fake_dns.answer("hooks.partner-a.example", "93.184.215.14")
    webhook, _secret = webhook_create(
        organisation=world.org_a, url="https://hooks.partner-a.example/pps", by=world.admin_a
    )
    shared = {
        "alerts": alert.public_id,
        "soft-targets": register.target_a.public_id,
        "reports": report.public_id,
        "threat-assessments": green.public_id,
        "contacts": contact.public_id,
        "actions": contact.actions.get().public_id,
        "covenants": world.covenant.public_id,
        "partnerships": world.partnership.public_id,
        "webhooks": webhook.public_id,
        "sectors": "football_stadium",
    }
    roles = []
    for name, user in (
        ("partner admin", world.admin_a),
        ("partner viewer", world.viewer_a),
        ("NCTV staff", world.author),
    ):
        _instance, token = AuthToken.objects.create(user=user)
        entry = Delivery.objects.filter(alert=alert, recipient=user, channel="in_app").first()
        ids = {key: str(value) for key, value in shared.items()}
        if entry is not None:
            ids["inbox"] = str(entry.public_id)
        ids["organisations"] = str(user.membership.organisation.public_id)  # their own
        roles.append(Role(name=name, user=user, token=token, ids=ids))
    return roles
