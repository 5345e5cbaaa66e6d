"""Core models of the portal: what every app stands on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    """Which browser sessions belong to which user, so that they can be ended at once."""

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_sessions"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}"


class AppendOnlyError(Exception):
    """The audit log is append-only: rows cannot be changed or removed."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")

    def _raw_delete(self, using):  # used by cascades and bulk deletion
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")

    def _expire(self) -> int:
        """Expiry on SQLite only (``ppsportal.retention.audit_log_expire`` is the one caller);
        PostgreSQL expires through its own function, and its trigger refuses this."""
        from django.db import connections

        if connections[self.db].vendor == "postgresql":
            raise AppendOnlyError("On PostgreSQL the audit log expires through its function.")
        return super()._raw_delete(self.db)


class AuditEvent(models.Model):
    """An append-only record of something that matters: grants, revocations, lapses, every read
    of AMBER and above, failed sign-ins.

    Actor and organisations are kept as plain ids and names, not foreign keys, so that removing
    a user or organisation never needs to change a row. A PostgreSQL trigger (migration 0003)
    refuses UPDATE, DELETE and TRUNCATE for every database user, the application's included.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_ids = models.JSONField(_("object ids"), default=list, blank=True)
    # ",3,17," — the organisations owning the objects, searchable with a plain LIKE on any
    # database (access transparency: who outside my organisation read our data).
    owner_organisation_ids = models.CharField(
        _("owning organisations"), max_length=2000, blank=True, default=""
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            # the admin's filters: by action and time, by actor
            models.Index(fields=["action", "-at"], name="audit_action_time"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")
