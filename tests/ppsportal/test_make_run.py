"""`make run` on a new machine: links in e-mails point at the port it serves on, and the log says
nothing about a broker it does not need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SITE_URL = "from django.conf import settings; print(settings.SITE_URL)"


def _environment(tmp_path, **extra) -> dict[str, str]:
    """A newcomer's environment: no broker, SQLite in a temporary directory."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "SITE_URL", "CELERY_BROKER_URL"}
    }
    environ.update({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", **extra})
    return environ


def _serve_line(port: str) -> str:
    """The command `make run PORT=...` would run to serve (make -n prints it, runs nothing)."""
    dry = subprocess.run(  # noqa: S603 - a fixed command
        ["make", "-n", "run", f"PORT={port}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    lines = [line for line in dry.stdout.splitlines() if "manage.py devserver" in line]
    assert len(lines) == 1, dry.stdout
    return lines[0]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("port", ["8000", "8080"])
def test_make_run_points_email_links_at_the_port_it_serves_on(tmp_path, port):
    line = _serve_line(port)
    assert line.endswith(f"manage.py devserver 127.0.0.1:{port}")
    # The same environment, but the settings print SITE_URL instead of serving.
    prefix = line.split(" .venv/bin/python manage.py devserver")[0]
    command = f"{prefix} {sys.executable} manage.py shell -c '{PRINT_SITE_URL}'"
    result = subprocess.run(  # noqa: S603 - the Makefile's own line
        ["bash", "-c", command],  # noqa: S607
        cwd=ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"http://127.0.0.1:{port}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_site_url_set_by_hand_wins_over_the_port(tmp_path):
    prefix = _serve_line("8080").split(" .venv/bin/python manage.py devserver")[0]
    command = f"{prefix} {sys.executable} manage.py shell -c '{PRINT_SITE_URL}'"
    result = subprocess.run(  # noqa: S603 - the Makefile's own line
        ["bash", "-c", command],  # noqa: S607
        cwd=ROOT,
        env=_environment(tmp_path, SITE_URL="https://portal.example.nl"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://portal.example.nl"


def test_tasks_run_in_process_without_a_word_about_a_broker(tmp_path):
    """Without REDIS_URL a task runs in-process (as seed_demo's alerts do under `make run`) and
    kombu does not warn "No hostname was supplied" about the in-memory transport."""
    code = (
        "from ppsportal.tasks import record_worker_heartbeat as task; "
        "print(task.apply_async().successful())"
    )
    result = subprocess.run(  # noqa: S603 - the Makefile's own line
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_environment(tmp_path, DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")
    assert "No hostname was supplied" not in result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
