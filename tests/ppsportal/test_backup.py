"""`make backup` / `make restore`: a backup restored into a fresh database has every table with
the same rows, the uploaded files, and the audit log still append-only (its trigger came along)."""

from __future__ import annotations

import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from ppsportal.audit import audit_record
from tests.factories import OrganisationFactory, UserFactory
from tests.reliability.harness import ROOT, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SAMPLED = ["auth_user", "partnerships_organisation", "ppsportal_auditevent"]


def _run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own scripts
        [str(ROOT / "bin" / script), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _tables(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 - names from the catalogue
        counts[name] = cursor.fetchone()[0]
    return counts


def _rows(cursor, table: str) -> list[tuple]:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - a fixed list
    return cursor.fetchall()


@pytest.fixture
def fresh_database():
    source = database_url()
    name = f"pps_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(_with_database(source, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(source, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_backup_restores_whole_into_a_fresh_database(tmp_path, fresh_database):
    organisation = OrganisationFactory(name="Partner A Stadion", sector="football_stadium")
    user = UserFactory(username="operator", organisation=organisation)
    for n in range(3):
        audit_record(action="test.backup", actor=user, organisation=organisation, detail={"n": n})
    media = tmp_path / "media"
    (media / "covenants").mkdir(parents=True)
    (media / "covenants" / "signed.pdf").write_bytes(b"%PDF-1.7 signed covenant")

    backup = tmp_path / "backup"
    made = _run(
        "backup", str(backup), env={"DATABASE_URL": database_url(), "MEDIA_ROOT": str(media)}
    )
    assert made.returncode == 0, made.stderr
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "SHA256SUMS"}

    restored_media = tmp_path / "restored-media"
    env = {"DATABASE_URL": fresh_database, "MEDIA_ROOT": str(restored_media)}
    restored = _run("restore", str(backup), env=env)
    assert restored.returncode == 0, restored.stderr
    assert (restored_media / "covenants" / "signed.pdf").read_bytes() == b"%PDF-1.7 signed covenant"

    a, b = psycopg2.connect(database_url()), psycopg2.connect(fresh_database)
    try:
        with a.cursor() as before, b.cursor() as after:
            counts = _tables(before)
            assert counts["ppsportal_auditevent"] >= 3 and counts["auth_user"] >= 1
            assert _tables(after) == counts
            for table in SAMPLED:
                assert _rows(after, table) == _rows(before, table)
            # the append-only trigger of the audit log came along
            with pytest.raises(psycopg2.Error, match="append-only"):
                after.execute("UPDATE ppsportal_auditevent SET action = 'changed'")
    finally:
        a.close()
        b.close()

    # a second restore into the same, now filled, database is refused and changes nothing
    again = _run("restore", str(backup), env=env)
    assert again.returncode != 0
    assert "not empty" in again.stderr
