"""Make the audit log append-only in PostgreSQL itself: UPDATE and DELETE raise, whoever runs
them (the model and queryset refuse too, on every database).

TRUNCATE is left to privileges (docs/security.md: the application's role is not granted
TRUNCATE in production); the test suite's flush between transactional tests relies on it."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ppsportal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ppsportal_audit_no_change ON ppsportal_auditevent;
CREATE TRIGGER ppsportal_audit_no_change
    BEFORE UPDATE OR DELETE ON ppsportal_auditevent
    FOR EACH ROW EXECUTE FUNCTION ppsportal_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ppsportal_audit_no_change ON ppsportal_auditevent;
DROP FUNCTION IF EXISTS ppsportal_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ppsportal", "0002_audit_log")]

    operations = [migrations.RunPython(forward, backward)]
