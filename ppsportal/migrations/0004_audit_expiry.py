"""The one sanctioned way to remove audit entries: expiry after the retention period.

The append-only trigger (0003) now lets a DELETE through only for a row older than the cut-off
that ``ppsportal_audit_expire(retention_days)`` sets for its own transaction, and never for a
row younger than 180 days (the floor, whatever the caller sets). A plain DELETE, any UPDATE,
and a DELETE of recent rows are still refused for every database user. The function is
SECURITY DEFINER: in production the application's role has no DELETE privilege on the table
(docs/security.md) and expires entries only through it."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ppsportal_audit_append_only() RETURNS trigger AS $$
DECLARE
    cutoff text := current_setting('ppsportal.audit_expire_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.at < cutoff::timestamptz
       AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ppsportal_audit_expire(retention_days integer) RETURNS integer
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    cutoff timestamptz;
    removed integer;
BEGIN
    IF retention_days IS NULL OR retention_days < 180 THEN
        RAISE EXCEPTION 'audit retention of % days is below the floor of 180', retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - make_interval(days => retention_days);
    PERFORM set_config('ppsportal.audit_expire_before', cutoff::text, true);
    DELETE FROM ppsportal_auditevent WHERE at < cutoff;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('ppsportal.audit_expire_before', '', true);
    RETURN removed;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS ppsportal_audit_expire(integer);
CREATE OR REPLACE FUNCTION ppsportal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ppsportal", "0003_audit_append_only_trigger")]

    operations = [migrations.RunPython(forward, backward)]
