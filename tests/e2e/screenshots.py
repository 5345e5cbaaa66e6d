"""`make screenshots`: the pictures in the user guides, taken from the portal on its demo data.

    .venv/bin/python -m tests.e2e.screenshots            # every picture
    .venv/bin/python -m tests.e2e.screenshots nctv-map   # only these

The portal is started on the demo data (`seed_demo`, as `make run` shows it) in a temporary
SQLite database, without a broker. Each demo persona signs in through the sign-in page, NCTV staff
with their second factor, in Debian's Chromium driven by Playwright (no browser is downloaded),
and every picture is written to ``docs/screenshots/<name>.png``, 1280 x 800 unless it is a
phone's (375 px wide). The pictures show whatever the pages show: rerun after changing a page.
Requests to other sites (the map's tile server) are refused, so a picture never depends on the
network; the maps then show what they show offline. The demo lives on a fixed day: the seeding
and the server run on a clock that starts at ``DEMO_MOMENT`` (3 December 2026, 14:02 in
Amsterdam) and moves on at the real pace, so the pictures show that day, not the day they were
taken.

``SHOTS`` declares every picture; ``tests/ppsportal/test_guides.py`` checks that each one is in a
guide and that each picture a guide shows is here.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "screenshots"
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
MAX_HEIGHT = 2400  # px of a full-page picture
DEMO_MOMENT = datetime(2026, 12, 3, 13, 2, tzinfo=UTC)  # 14:02 in Amsterdam
# The server, on the demo's clock from the moment given (argv[1]), serving on argv[2]. Django is
# set up first: it sets the process's time zone, which a ticking clock must not see change.
SERVER = """
import sys
import django
django.setup()
from freezegun import freeze_time
freeze_time(sys.argv[1], tick=True).start()
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "runserver", sys.argv[2], "--noreload"])
"""


class Clock:
    """The demo's time: ``DEMO_MOMENT`` when the run starts, then on at the real pace; the same
    in this process (seeding, the second factor's codes) and in the server's."""

    def __init__(self) -> None:
        self.started = time.time()

    def now(self) -> datetime:
        return DEMO_MOMENT + timedelta(seconds=time.time() - self.started)

    def frozen(self, tick: bool = False):
        from freezegun import freeze_time

        return freeze_time(self.now(), tick=tick)


@dataclass(frozen=True)
class Shot:
    name: str  # docs/screenshots/<name>.png
    persona: str  # the demo user who signs in
    take: Callable  # take(page, demo) opens the page and makes it ready
    phone: bool = False
    full_page: bool = False  # the whole page, not only the first screen


# --- the steps: each opens a page as its persona would ----------------------------------------


def _url(*candidates: tuple) -> str:
    """The first of these URL names (with arguments) that exists: a page being built may not be
    there yet, and then its predecessor is shown."""
    from django.urls import NoReverseMatch, reverse

    for name, *args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise LookupError(f"none of these pages exists: {candidates}")


def _open(path: str):
    def take(page, demo):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "/accounts/login/" not in page.url, f"{path} sent the persona to the sign-in page"

    return take


def _open_named(*candidates):
    def take(page, demo):
        _open(_url(*candidates))(page, demo)

    return take


def _with_demo(builder):
    """A step whose address depends on the demo data (an alert, a soft target)."""

    def take(page, demo):
        builder(page, demo)

    return take


def _nctv_alert(page, demo):
    _open(_url(("alert-board-detail", demo.exercise)))(page, demo)


def _publish_confirm(page, demo):
    """Approve the waiting draft on the board (as nctv-admin; nctv-analyst wrote it), then open
    what publishing shows before it sends anything: the board's confirmation page where there is
    one, otherwise the admin's publish page with its audience preview. Nothing is published."""
    from alerts.models import Alert

    draft = Alert.objects.get(public_id=demo.draft)
    if draft.status == Alert.Status.DRAFT:
        page.goto(_url(("alert-board-detail", demo.draft)))
        page.click("button[value=approve]")
        page.wait_for_load_state()
    board_confirm = _url(("alert-board-action", demo.draft, "publish"))
    answer = page.request.get(board_confirm, max_redirects=0)
    there = answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")
    answer.dispose()
    _open(board_confirm if there else _url(("admin:alerts_alert_publish", draft.pk)))(page, demo)


def _operator_alert(page, demo):
    _open(_url(("alert-detail", demo.area_alert)))(page, demo)


def _operator_partnership(page, demo):
    _open(_url(("partnership-detail", demo.arena_partnership)))(page, demo)


def _operator_soft_target(page, demo):
    _open(_url(("soft-target-detail", demo.arena_target)))(page, demo)


def _operator_share(page, demo):
    _open(_url(("document-upload",)))(page, demo)


SHOTS: tuple[Shot, ...] = (
    # NCTV staff: the duty officer
    Shot("nctv-home", "nctv-admin", _open("/")),
    Shot("nctv-alert-board", "nctv-admin", _open_named(("alert-board",))),
    Shot("nctv-alert", "nctv-admin", _with_demo(_nctv_alert), full_page=True),
    Shot("nctv-publish-confirm", "nctv-admin", _with_demo(_publish_confirm), full_page=True),
    Shot("nctv-partnerships", "nctv-admin", _open_named(("partnership-overview",)), full_page=True),
    Shot("nctv-soft-targets", "nctv-admin", _open_named(("register-overview",)), full_page=True),
    Shot("nctv-map", "nctv-admin", _open_named(("national-map",), ("soft-target-map",))),
    Shot("nctv-report-queue", "nctv-admin", _open_named(("report-queue",))),
    # a venue's security manager
    Shot("operator-home", "arena-operator", _open("/")),
    Shot("operator-alert", "arena-operator", _with_demo(_operator_alert), full_page=True),
    Shot("operator-phone-inbox", "arena-operator", _open_named(("alert-inbox",)), phone=True),
    Shot("operator-phone-alert", "arena-operator", _with_demo(_operator_alert), phone=True),
    Shot("operator-partnership", "arena-operator", _with_demo(_operator_partnership)),
    Shot("operator-soft-target", "arena-operator", _with_demo(_operator_soft_target)),
    Shot("operator-map", "arena-operator", _open_named(("soft-target-map",))),
    Shot("operator-share", "arena-operator", _with_demo(_operator_share)),
    Shot("operator-access-log", "arena-operator", _open_named(("access-log",))),
    Shot("operator-alert-preferences", "arena-operator", _open_named(("alert-preferences",))),
    # an integrator's view: the API's own documentation, for a signed-in user of the organisation
    # (the API account itself has no dashboard; the schema at /api/schema/ takes its token)
    Shot("integrator-api-docs", "arena-operator", _open_named(("api-docs",))),
)


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Demo:
    exercise: str
    area_alert: str
    draft: str
    arena_partnership: str
    arena_target: str


def _environment(workdir: Path) -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "SITE_URL"}
    }
    environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ppsportal.settings",
            "DATABASE_URL": f"sqlite:///{workdir}/demo.sqlite3",
            "MEDIA_ROOT": str(workdir / "media"),
            "DEBUG": "1",
            "EMAIL_URL": "locmem://",
            "LOG_LEVEL": "ERROR",  # the demo's messages and requests are not news here
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",  # Playwright's loop and the ORM in one thread
        }
    )
    return environ


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the portal stopped (exit {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the portal did not start within a minute")


def _demo() -> Demo:
    from alerts import demo as alerts_demo
    from alerts.models import Alert
    from partnerships.demo import ARENA
    from partnerships.models import Partnership
    from threats.models import SoftTarget

    def alert(headline):
        return str(Alert.objects.filter(headline=headline).order_by("-version").first().public_id)

    return Demo(
        exercise=alert(alerts_demo.VIERDAAGSE_EXERCISE),
        area_alert=alert(alerts_demo.AREA_ALERT),
        draft=alert(alerts_demo.DRAFT),
        arena_partnership=str(Partnership.objects.get(name=ARENA).public_id),
        arena_target=str(
            SoftTarget.objects.filter(operator__name=ARENA).order_by("pk").first().public_id
        ),
    )


def sign_in(page, username: str, clock: Clock) -> None:
    """Through the sign-in page, as a person would; staff type the code of their app."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from ppsportal.mfa import second_factor_required
    from tests.signin import authenticator_for, code_now, forget_last_step

    # the test's own queries before the browser's requests (tests.signin.forget_last_step)
    user = get_user_model().objects.get(username=username)
    device = authenticator_for(user) if second_factor_required(user) else None
    if device is not None:
        forget_last_step(device)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if device is not None:
        with clock.frozen():  # the code the app shows on the server's clock
            code = code_now(device)
        page.fill("#id_otp_token", code)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)


def optimize_png(path: Path) -> None:
    """Recompress the picture's pixels at zlib's highest level (lossless; Chromium favours
    speed). Pure Python: no image library is needed."""
    data = path.read_bytes()
    signature, position = data[:8], 8
    chunks, pixels = [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IDAT":
            pixels += body
            if not chunks or chunks[-1][0] != b"IDAT":
                chunks.append((b"IDAT", b""))
        else:
            chunks.append((kind, body))
    packed = zlib.compress(zlib.decompress(pixels), 9)
    out = [signature]
    for kind, body in chunks:
        body = packed if kind == b"IDAT" else body
        out.append(struct.pack(">I", len(body)) + kind + body)
        out.append(struct.pack(">I", zlib.crc32(kind + body)))
    smaller = b"".join(out)
    if len(smaller) < len(data):
        path.write_bytes(smaller)


def _shoot(page, shot: Shot, demo: Demo) -> Path:
    page.set_viewport_size(PHONE if shot.phone else DESK)
    shot.take(page, demo)
    page.wait_for_load_state("networkidle")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{shot.name}.png"
    options = {"full_page": shot.full_page, "animations": "disabled", "caret": "hide"}
    if shot.full_page:  # a long page to its end, up to a few screens
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.viewport_size["width"]
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)}
    page.screenshot(path=str(path), **options)
    optimize_png(path)
    return path


def _browser(base_url: str):
    from tests.e2e.browser import browser_page

    return browser_page(base_url)


def run(names: list[str]) -> list[Path]:
    unknown = set(names) - {shot.name for shot in SHOTS}
    if unknown:
        raise SystemExit(f"no such screenshot: {', '.join(sorted(unknown))}")
    shots = [shot for shot in SHOTS if not names or shot.name in names]
    written = []
    with tempfile.TemporaryDirectory(prefix="pps-screenshots-") as tmp:
        workdir = Path(tmp)
        environ = _environment(workdir)
        os.environ.update(environ)
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "SITE_URL"):
            os.environ.pop(name, None)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        os.environ["SITE_URL"] = base_url
        import django
        from django.core.management import call_command

        django.setup()
        print("Migrating and seeding the demo data …", flush=True)
        clock = Clock()
        with clock.frozen(tick=True):
            call_command("migrate", verbosity=0)
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        print("Taking the screenshots …", flush=True)
        demo = _demo()
        log = (workdir / "server.log").open("w")
        server = subprocess.Popen(  # noqa: S603 - this interpreter and manage.py
            [sys.executable, "-c", SERVER, clock.now().isoformat(), f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**environ, "SITE_URL": base_url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base_url, server)
            by_persona: dict[str, list[Shot]] = {}
            for shot in shots:
                by_persona.setdefault(shot.persona, []).append(shot)
            for persona, persona_shots in by_persona.items():
                written += _shoot_as(persona, persona_shots, base_url, demo, clock)
        except Exception:
            log.flush()
            sys.stderr.write((workdir / "server.log").read_text()[-4000:])
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    return written


def _shoot_as(
    persona: str, shots: list[Shot], base_url: str, demo: Demo, clock: Clock
) -> list[Path]:
    written = []
    with _browser(base_url) as page:
        # other sites (map tiles) are refused: the pictures never depend on the network
        page.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
        sign_in(page, persona, clock)
        for shot in shots:
            path = _shoot(page, shot, demo)
            written.append(path)
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB", flush=True)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run(sys.argv[1:])
