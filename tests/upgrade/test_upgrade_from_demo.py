"""Upgrading a live database: the demo network as `seed_demo` wrote it before the apps were re-cut
(commit 1e572fd), migrated by today's code, keeps every row and still adds up.

The fixtures are plain dumps of that database (`pg_dump`, and SQLite's `iterdump`), so the test needs
neither the old code nor git history.
"""

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(settings.BASE_DIR)

# Rows that must survive the upgrade unchanged, by their table before and after the re-cut.
KEPT = {
    "SELECT count(*), coalesce(sum(minutes), 0) FROM exchanges_transfer": "transfers",
    "SELECT count(*), coalesce(sum(balance), 0) FROM exchanges_account": "accounts",
    "SELECT count(*), coalesce(sum(seq), 0) FROM messaging_message": "messages",
    "SELECT count(*), 0 FROM members_membership": "memberships",
}
MOVED = {
    "exchanges_listingskill": "matching_listingskill",
    "exchanges_profileskill": "matching_profileskill",
    "exchanges_rollupmonthkind": "reports_rollupmonthkind",
    "exchanges_rolluppair": "reports_rolluppair",
    "exchanges_wellbeingcheckin": "reports_wellbeingcheckin",
    "messaging_notification": "notifications_notification",
    "members_safeguardingcheck": "safeguarding_safeguardingcheck",
}


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    env.pop("TIMEBANK_TESTING", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def assert_upgrades(query, database_url: str) -> None:
    before = {name: query(sql) for sql, name in KEPT.items()}
    moved = {old: query(f"SELECT count(*) FROM {old}") for old in MOVED}
    assert before["transfers"][0] > 0 and sum(count for (count,) in moved.values()) > 0

    migrated = manage("migrate", "--noinput", database_url=database_url)
    assert migrated.returncode == 0, migrated.stderr

    assert {name: query(sql) for sql, name in KEPT.items()} == before
    assert {new: query(f"SELECT count(*) FROM {new}") for new in MOVED.values()} == {
        MOVED[old]: count for old, count in moved.items()
    }
    verified = manage("verify_ledger", database_url=database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    pending = manage("makemigrations", "--check", "--dry-run", database_url=database_url)
    assert pending.returncode == 0, pending.stdout


def test_the_demo_database_of_sqlite_upgrades_whole(tmp_path):
    path = tmp_path / "upgrade.sqlite3"
    with sqlite3.connect(path) as db, gzip.open(FIXTURES / "demo-1e572fd.sqlite.sql.gz", "rt") as dump:
        db.executescript(dump.read())

    def query(sql):
        with sqlite3.connect(path) as db:
            return tuple(db.execute(sql).fetchone())

    assert_upgrades(query, f"sqlite:///{path}")


@pytest.mark.postgres
def test_the_demo_database_of_postgresql_upgrades_whole():
    import psycopg

    db = settings.DATABASES["default"]
    server = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"upgrade_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with gzip.open(FIXTURES / "demo-1e572fd.postgresql.sql.gz", "rt") as dump:
            loaded = subprocess.run(
                [shutil.which("psql") or "psql", "-q", "-v", "ON_ERROR_STOP=1", f"{server}/{name}"],
                input=dump.read(),
                capture_output=True,
                text=True,
                timeout=120,
            )
        assert loaded.returncode == 0, loaded.stderr

        def query(sql):
            with psycopg.connect(f"{server}/{name}") as conn:
                return tuple(conn.execute(sql).fetchone())

        assert_upgrades(query, f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
