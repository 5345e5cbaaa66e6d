"""Real processes for the reliability tests: a private Redis server the test may stop and
start, Celery worker processes (killed with SIGKILL as a machine would lose them), and a
population of recipients built in bulk.

The tests use their own ``redis-server`` on a free port rather than the shared one, so stopping
it harms nothing else; the workers use the test database (``DATABASE_URL`` built from the test
connection) and ``tests.reliability.worker_settings``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from kombu import pools

from partnerships.models import Membership

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, every=0.2) -> float:
    """Poll ``condition`` until it holds; returns the seconds it took. Fails with ``what``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)
    return time.monotonic() - start


class RedisServer:
    """A throwaway redis-server on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port} answers")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def database_url() -> str:
    d = connection.settings_dict
    host, port = d.get("HOST") or "127.0.0.1", d.get("PORT") or 5432
    user = d.get("USER") or "postgres"
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{d['NAME']}"


class Worker:
    """``celery worker`` in its own process group (prefork, two children), optionally with beat
    running the sweep. ``kill`` sends SIGKILL to the whole group: parent, children and beat."""

    def __init__(
        self, name: str, *, redis: RedisServer, record: Path, logs: Path, beat=False, env=None
    ):
        self.name, self.redis, self.record, self.logs, self.beat = name, redis, record, logs, beat
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = logs / f"{name}.log"

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis.url,
            "RECORDING_TRANSPORT_FILE": str(self.record),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "ppsportal",
            "worker",
            "-n",
            f"{self.name}@%h",
            "-P",
            "prefork",
            "-c",
            "2",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if self.beat:
            command += ["-B", "-s", str(self.logs / f"{self.name}-beat-schedule")]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self.ready, timeout=60, what=f"worker {self.name} ready ({self.log_path})")

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited: {self.log_path.read_text()[-3000:]}")
        return b" ready." in self.log_path.read_bytes()

    def kill(self) -> None:
        """SIGKILL to the worker, its pool children and its beat at once."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (publishing goes to the private Redis)."""
    from ppsportal.celery import app

    def reset() -> None:
        pools.reset()  # kombu keeps connection pools per URL, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = old


def members(organisation, count: int, prefix: str) -> None:
    """``count`` active members of ``organisation``, in bulk (no password: they never sign in)."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}-{i}", email=f"{prefix}-{i}@example.invalid", is_active=True)
            for i in range(count)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=organisation, role="member") for u in users],
        batch_size=2000,
    )
