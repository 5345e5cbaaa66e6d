"""Configuration is read once and strictly: a malformed value stops start-up and names itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ppsportal import env

ROOT = Path(__file__).resolve().parents[2]


def _start(extra: dict[str, str]) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    environ.update({"SECRET_KEY": "x" * 50, **extra})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db/x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "pigeon://loft"),
        ("CONN_MAX_AGE", "forever"),
        ("METRICS_ALLOWED_IPS", "everyone"),
        ("CELERY_BROKER_URL", "kafka://127.0.0.1:9092"),
    ],
)
def test_malformed_setting_stops_start_up_naming_the_variable(variable, value):
    result = _start({variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}=" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    environ = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    environ["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_a_well_formed_environment_starts():
    result = _start({"DEBUG": "off", "ALLOWED_HOSTS": "portal.example.nl"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False), ("", False)],
)
def test_booleans_accept_only_known_words(monkeypatch, value, expected):
    monkeypatch.setenv("X_FLAG", value)
    assert env.env_bool("X_FLAG", default=not expected) is expected


def test_database_url_postgres_is_parsed(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://app:s%40cret@db.internal:6543/pps?sslmode=require"
    )
    config = env.database_from_url("DATABASE_URL", Path("var/x.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "6543",
        "pps",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_database_url_unset_means_sqlite_under_var(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.database_from_url("DATABASE_URL", Path("/srv/var/pps.sqlite3"))
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/var/pps.sqlite3"}


@pytest.mark.parametrize("value", ["postgres://host-only", "postgres://h:port/db", "sqlite://"])
def test_database_url_malformed_is_refused(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL="):
        env.database_from_url("DATABASE_URL", Path("var/x"))


def test_email_url_smtp(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://mailer:pw@smtp.example.nl:587?tls=1")
    config = env.email_from_url("EMAIL_URL")
    assert config.backend.endswith("smtp.EmailBackend")
    assert (config.host, config.port, config.user, config.use_tls) == (
        "smtp.example.nl",
        587,
        "mailer",
        True,
    )


def test_email_url_defaults_to_console(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env.email_from_url("EMAIL_URL").backend.endswith("console.EmailBackend")


def test_list_with_empty_item_is_refused(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.nl,,b.nl")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS="):
        env.env_list("ALLOWED_HOSTS", default=[])


def test_env_example_documents_every_variable_the_settings_read():
    import re

    read = set()
    for path in [ROOT / "ppsportal" / "settings.py"]:
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', path.read_text()))
        read |= set(
            re.findall(
                r'(?:database_from_url|redis_url|email_from_url)\(\s*"([A-Z_]+)"', path.read_text()
            )
        )
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "the settings read no variables?"
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


def test_a_rabbitmq_broker_needs_redis_for_the_cache_and_heartbeat():
    rabbit = "amqp://ppsportal:secret@127.0.0.1:5672/ppsportal"
    result = _start({"CELERY_BROKER_URL": rabbit, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "CELERY_BROKER_URL=" in result.stderr and "REDIS_URL" in result.stderr
    ok = _start({"CELERY_BROKER_URL": rabbit, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert ok.returncode == 0, ok.stderr


def test_broker_urls_are_redis_or_rabbitmq(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "amqps://u:p@mq.example.nl:5671/pps")
    assert env.broker_url("CELERY_BROKER_URL") == "amqps://u:p@mq.example.nl:5671/pps"
    monkeypatch.setenv("CELERY_BROKER_URL", "sqs://queue")
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL="):
        env.broker_url("CELERY_BROKER_URL")


def test_the_sms_gateway_needs_its_url_key_and_receipt_secret():
    gateway = {"SMS_BACKEND": "alerts.channels.sms_gateway.GatewayBackend"}
    complete = {
        **gateway,
        "SMS_GATEWAY_URL": "https://sms.provider.example/v1/messages",
        "SMS_GATEWAY_API_KEY": "key",
        "SMS_GATEWAY_RECEIPT_SECRET": "secret",
    }
    missing = _start({**complete, "SMS_GATEWAY_RECEIPT_SECRET": ""})
    assert missing.returncode != 0
    assert "SMS_GATEWAY_RECEIPT_SECRET must be set" in missing.stderr
    ok = _start(complete)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.django_db
def test_postgresql_compiles_no_query_to_machine_code():
    """JIT compilation cost 300 ms on a 20 ms query of the partnership overview at 100 times the
    demo (docs/benchmarks.md, B6): the portal's connections turn it off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
