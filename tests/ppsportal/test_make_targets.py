"""`make worker` and `make beat` start as the README says: with only `DATABASE_URL` and
`REDIS_URL` exported (like `make run`, DEBUG defaults to on unless the environment says)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["worker", "beat"])
def test_worker_and_beat_load_their_settings_with_the_readmes_exports_only(target):
    environ = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - a fallback for a bare environment
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ppsportal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    dry = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "-s", target],  # noqa: S607 - make from PATH, as the README runs it
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(line for line in dry.stdout.splitlines() if "celery -A ppsportal" in line)
    # The same command, asking the app for its configuration instead of starting to consume.
    report = re.sub(r"celery -A ppsportal \w+.*", "celery -A ppsportal report", line)
    started = subprocess.run(  # noqa: S602 - the Makefile's own command line
        report, shell=True, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert "ImproperlyConfigured" not in started.stderr
