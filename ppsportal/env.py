"""Strict reading of the environment.

Every setting that comes from the environment passes through one of these readers. A value that
cannot be understood stops start-up with an ``ImproperlyConfigured`` error that names the variable,
so a typo never silently becomes a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        return default
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate items by commas.")
    return items


def database_from_url(name: str, default_sqlite_path: Path) -> dict:
    """Parse ``DATABASE_URL``: ``postgres://user:password@host:port/name`` or ``sqlite:///path``."""
    value = _raw(name)
    if value is None or value == "":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    parts = urlsplit(value)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ImproperlyConfigured(f"{name}={value!r} names no SQLite file (sqlite:///path).")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name or not parts.hostname:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a PostgreSQL URL of the form "
                "postgres://user:password@host:port/database."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} has an invalid port.") from None
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": str(port or 5432),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{name}={value!r} has an unsupported scheme {parts.scheme!r}: use postgres:// or sqlite://."
    )


def redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a Redis URL of the form redis://host:port/db."
        )
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} has an invalid port.") from None
    return value


BROKER_SCHEMES = {"redis", "rediss", "amqp", "amqps", "pyamqp"}


def broker_url(name: str) -> str | None:
    """A Celery broker URL: Redis (redis://) or RabbitMQ (amqp://user:password@host:5672/vhost)."""
    value = _raw(name)
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in BROKER_SCHEMES or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a broker URL: use redis://host:port/db or "
            "amqp://user:password@host:5672/vhost."
        )
    return value


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def email_from_url(name: str) -> EmailConfig:
    """Parse ``EMAIL_URL``: ``console://``, ``locmem://``, ``smtp://user:pass@host:587?tls=1``
    or ``smtps://user:pass@host:465``."""
    value = _raw(name) or "console://"
    parts = urlsplit(value)
    if parts.scheme == "console":
        return EmailConfig("django.core.mail.backends.console.EmailBackend")
    if parts.scheme == "locmem":
        return EmailConfig("django.core.mail.backends.locmem.EmailBackend")
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name}={value!r} names no SMTP host.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} has an invalid port.") from None
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        tls = query.get("tls", "0")
        if tls not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"{name}={value!r}: tls= must be 1 or 0.")
        use_ssl = parts.scheme == "smtps"
        return EmailConfig(
            "django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=port or (465 if use_ssl else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=tls in _TRUE,
            use_ssl=use_ssl,
        )
    raise ImproperlyConfigured(
        f"{name}={value!r} has an unsupported scheme {parts.scheme!r}: "
        "use console://, locmem://, smtp:// or smtps://."
    )


def tile_origin(url: str) -> str:
    """The origin a map tile URL template loads from, for the Content-Security-Policy:
    ``https://{s}.tile.example/{z}/{x}/{y}.png`` → ``https://*.tile.example``."""
    parts = urlsplit(url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL={url!r} is not an http(s) URL template.")
    return f"{parts.scheme}://{parts.netloc.replace('tiles-subdomain', '*')}"
