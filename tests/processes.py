"""Python in a process of its own, for what must not touch the test process: settings read at
import (the broker's configuration), or a state that lasts for the life of a process (a frozen
heap)."""

from __future__ import annotations

import json
import subprocess  # nosec B404  # this interpreter, a fixed script
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_json(script: str, env: dict[str, str]):
    """Run ``script`` with this interpreter in the project's folder under ``env``; what its last
    line of output says, read as JSON. The script must end well."""
    result = subprocess.run(  # noqa: S603  # nosec B603  # this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
