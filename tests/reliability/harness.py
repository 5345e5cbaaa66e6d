"""Real processes for the reliability tests: a private Redis server, RabbitMQ node and
PostgreSQL server the test may stop and start, Celery worker processes (killed with SIGKILL as a
machine would lose them), a web process, and a population of recipients built in bulk.

The tests use their own ``redis-server``, RabbitMQ node and PostgreSQL cluster on free ports
rather than the shared ones, so stopping them harms nothing else; the workers use the test
database (``DATABASE_URL`` built from the test connection, or the private cluster's) and
``tests.reliability.worker_settings``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
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


def start_worker(
    name: str,
    *,
    env: dict[str, str],
    log_path: Path,
    beat_schedule: Path | None = None,
    include: str = "",
    timeout: float = 60,
) -> subprocess.Popen:
    """``celery -A ppsportal worker`` (prefork, two children) in its own process group, with
    this environment over ours, logging to ``log_path``; returns once it is ready. ``beat_schedule``
    runs beat in it too; ``include`` names more task modules to import. The one place a worker
    process is started (the reliability tests, and ``bench/b2_delivery.py``)."""
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "ppsportal",
        "worker",
        "-n",
        f"{name}@%h",
        "-P",
        "prefork",
        "-c",
        "2",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    if include:
        command += ["--include", include]
    if beat_schedule is not None:
        command += ["-B", "-s", str(beat_schedule)]
    log = log_path.open("ab")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    try:
        wait_until(
            lambda: worker_ready(process, log_path, name),
            timeout=timeout,
            what=f"worker {name} ready ({log_path})",
        )
    except BaseException:
        stop_worker(process)
        raise
    return process


def worker_ready(process: subprocess.Popen | None, log_path: Path, name: str) -> bool:
    if process is not None and process.poll() is not None:
        raise AssertionError(f"worker {name} exited: {log_path.read_text()[-3000:]}")
    return b" ready." in log_path.read_bytes()


def stop_worker(process: subprocess.Popen | None) -> None:
    """SIGTERM to the worker's process group (a warm shutdown), SIGKILL if it lingers."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Worker:
    """``celery worker`` in its own process group (prefork, two children), optionally with beat
    running the sweep. ``kill`` sends SIGKILL to the whole group: parent, children and beat."""

    def __init__(
        self,
        name: str,
        *,
        redis: RedisServer,
        record: Path,
        logs: Path,
        beat=False,
        env=None,
        broker: str | None = None,
    ):
        self.name, self.redis, self.record, self.logs, self.beat = name, redis, record, logs, beat
        # another broker than Redis (RabbitMQ); Redis stays the cache and the heartbeat's store
        self.extra_env = {"CELERY_BROKER_URL": broker} if broker else {}
        self.extra_env.update(env or {})
        self.process: subprocess.Popen | None = None
        self.log_path = logs / f"{name}.log"

    def start(self) -> None:
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis.url,
            "RECORDING_TRANSPORT_FILE": str(self.record),
            **self.extra_env,
        }
        self.process = start_worker(
            self.name,
            env=env,
            log_path=self.log_path,
            beat_schedule=self.logs / f"{self.name}-beat-schedule" if self.beat else None,
        )

    def ready(self) -> bool:
        return worker_ready(self.process, self.log_path, self.name)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the worker, its pool children and its beat at once."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        stop_worker(self.process)
        self.process = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (publishing goes to the private Redis or
    RabbitMQ node), with the transport options the settings give that broker."""
    from ppsportal.celery import app

    def reset() -> None:
        pools.reset()  # kombu keeps connection pools per URL, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    old, old_options = app.conf.broker_url, app.conf.broker_transport_options
    reset()
    app.conf.broker_url = url
    if url.startswith("amqp"):
        app.conf.broker_transport_options = AMQP_TRANSPORT_OPTIONS
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.broker_transport_options = old, old_options


# What ppsportal/settings.py gives a RabbitMQ broker (tests/ppsportal/test_celery.py reads it).
AMQP_TRANSPORT_OPTIONS = {
    "confirm_publish": True,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "connect_timeout": 2,
}


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


def _answers_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RabbitServer:
    """A private RabbitMQ node (its own name, ports, data and cookie under ``directory``), no
    plugins; ``stop`` is a graceful shutdown (SIGTERM, as ``rabbitmqctl stop``), and ``start``
    again keeps its durable queues and their messages."""

    def __init__(self, directory: Path) -> None:
        self.port, self.dist_port = free_port(), free_port()
        self.node = f"pps{self.port}@localhost"
        self.directory = directory
        self.process: subprocess.Popen | None = None
        (directory / "home").mkdir(parents=True, exist_ok=True)
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    @staticmethod
    def binary() -> str | None:
        # Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user and drops the
        # environment that makes this node private: use the script behind it.
        debian = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
        return str(debian) if debian.exists() else shutil.which("rabbitmq-server")

    def env(self) -> dict[str, str]:
        d = self.directory
        return {
            **os.environ,
            "HOME": str(d / "home"),  # the Erlang cookie of this node alone
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "rabbit.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
        }

    def start(self) -> None:
        binary = self.binary()
        if binary is None:
            raise RuntimeError("rabbitmq-server is not installed (Debian package rabbitmq-server)")
        log = (self.directory / "server.log").open("ab")
        self.process = subprocess.Popen(
            [binary], env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

        def up() -> bool:
            if self.process.poll() is not None:
                tail = (self.directory / "server.log").read_text()[-3000:]
                raise AssertionError(f"rabbitmq-server exited: {tail}")
            return _answers_tcp(self.port)

        wait_until(up, timeout=180, what=f"RabbitMQ node {self.node} answers")

    def answers(self) -> bool:
        return _answers_tcp(self.port)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None
        wait_until(lambda: not self.answers(), timeout=10, what="RabbitMQ port closed")

    def purge(self) -> None:
        """Empty the task queues (what an earlier test left)."""
        from kombu import Connection

        with Connection(self.url, connect_timeout=5) as conn:
            channel = conn.channel()
            for queue in ("default", "fanout", "delivery"):
                channel.queue_declare(queue, durable=True, auto_delete=False)
                channel.queue_purge(queue)


class PostgresServer:
    """A private PostgreSQL cluster (initdb in a temporary folder, its own port, trust for
    ``postgres`` on 127.0.0.1), run as the ``postgres`` user when the tests run as root (the
    server refuses root). Never the system cluster on 5432."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="pps-pg-"))
        self.bin = self.binaries()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.directory, user="postgres")

    @staticmethod
    def binaries() -> Path | None:
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
        )
        if versions:
            return versions[-1].parent
        found = shutil.which("initdb")
        return Path(found).parent if found else None

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run(
            [*prefix, *command], check=True, capture_output=True, timeout=120, cwd=self.directory
        )

    def init(self) -> None:
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries (initdb) are not installed")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.directory / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=200"
        )
        data, log = str(self.directory / "data"), str(self.directory / "server.log")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        data = str(self.directory / "data")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.directory / "data" / "postmaster.pid").exists()

    def copy_database(self, source_url: str, name: str) -> None:
        """``name`` on this cluster, a copy of the database at ``source_url`` (schema, data,
        functions and triggers)."""
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name)
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "-Fc", "--no-owner", "-d", source_url],
            check=True,
            capture_output=True,
            timeout=120,
        ).stdout
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "-d", self.url(name)],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class WebServer:
    """gunicorn serving the portal on a free port, with the environment of the workers."""

    def __init__(self, *, env: dict[str, str], logs: Path) -> None:
        self.port = free_port()
        self.env = env
        self.log_path = logs / "web.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "ppsportal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(lambda: self.get("/healthz")[0] == 200, timeout=60, what="web answers")

    def get(self, path: str) -> tuple[int, dict]:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"web exited: {self.log_path.read_text()[-3000:]}")
        try:
            url = f"http://127.0.0.1:{self.port}{path}"
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            return 0, {}

    def readyz(self) -> tuple[int, dict]:
        return self.get("/readyz")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None
