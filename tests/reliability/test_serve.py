"""`make serve` (bin/serve) brings the whole stack up on one machine: /readyz answers 200;
stopping the broker turns it to 503 naming the broker, starting it again turns it back without
restarting anything; Ctrl-C stops every process of the stack, none left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.reliability.harness import ROOT, database_url, free_port, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True),
]


def _readyz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return 0, {}


def _redis_command(port: int, command: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(command + b"\r\n")
        return s.recv(64)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_make_serve_is_ready_follows_the_broker_and_stops_whole(sectors, redis_server, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "PORT": str(port),
        "SECRET_KEY": "serve-test-only-a-long-enough-random-secret-key-0123456789",
        "WEB_CONCURRENCY": "1",
        "DELIVERY_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
        "SERVE_RUN_DIR": str(tmp_path / "run"),
        "SERVE_LOG_DIR": str(tmp_path / "log"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, as make serve runs them
    out = (tmp_path / "serve.out").open("wb")
    serve = subprocess.Popen(  # noqa: S603 - our own script
        [str(ROOT / "bin" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    logs = tmp_path / "serve.out"
    try:
        wait_until(
            lambda: _readyz(port)[0] == 200 or serve.poll() is not None,
            timeout=120,
            what=f"/readyz answers 200 ({logs})",
        )
        assert serve.poll() is None, logs.read_text()[-3000:]
        pids = [
            int(line.split()[0])
            for line in (tmp_path / "run" / "serve.pids").read_text().split("\n")
            if line
        ]
        assert len(pids) == 5  # web, three workers, beat

        # The broker stops: not ready, and the body says why.
        assert _redis_command(redis_server.port, b"SAVE").startswith(b"+OK")  # as a persisted Redis
        redis_server.stop()
        status, body = _readyz(port)
        assert status == 503
        assert "broker" in body["failing"]
        assert body["checks"]["broker"] == "unreachable"

        # It comes back on the same port, with its data: ready again, nothing restarted.
        redis_server.start()
        wait_until(lambda: _readyz(port)[0] == 200, timeout=60, what="/readyz 200 again")
        assert all(_group_alive(pid) for pid in pids)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C
        serve.wait(timeout=60)
        out.close()
    assert not [pid for pid in pids if _group_alive(pid)], "processes left behind"
    assert not (tmp_path / "run" / "serve.pids").exists()
