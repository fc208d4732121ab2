"""Backups and the restore drill: dump the database, restore the file into a fresh database with
`manage.py restore_database` (a separate process, as an operator runs it), and find every
submission and revision there.

Runs against whatever DATABASE_URL points at: PostgreSQL (pg_dump / pg_restore) in CI, SQLite
(the sqlite3 backup API) otherwise. Neither is skipped.
"""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditEvent, Role, User
from reference.models import Municipality
from submissions.models import Revision, Submission
from surveys.models import Definition, Round, Survey
from tests.factories import make_user

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name):
    """A DATABASE_URL for another database on the same server as the test database."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


@pytest.fixture
def fresh_database(tmp_path):
    """(DATABASE_URL, query function) of an empty database that is not the test database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield database_url(path), query
        return

    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)

    def query(sql):
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
            return db.execute(sql).fetchall()

    yield url, query
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args, database_url):
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update({"DATABASE_URL": database_url, "TESTING": "1"})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def build_data():
    """Users, audit events, a round with submissions and several revisions each."""
    lolland = make_user(Role.OFFICER, ["360"], email="officer@lolland.dk")
    odder = make_user(Role.OFFICER, ["727"], email="officer@odder.dk")
    coordinator = make_user(Role.COORDINATOR, email="coordinator@indberet.dk")
    survey = Survey.objects.create(key="backup-drill", name="Backup-øvelse")
    definition = Definition.objects.create(survey=survey, version=1, content={})
    round_ = Round.objects.create(
        survey=survey,
        definition=definition,
        title="Februar 2026",
        slug="backup-drill-feb-2026",
        deadline=timezone.now() + timedelta(days=14),
        state="open",
    )
    round_.recipients.set(Municipality.objects.filter(code__in=["360", "727", "751"]))
    for officer, code, pupils in [(lolland, "360", 412), (odder, "727", 519)]:
        submission = Submission.objects.create(
            round=round_,
            municipality=Municipality.objects.get(code=code),
            state="submitted",
            version=3,
            answers={"pupils_8_9": pupils, "enrolled": 21, "comment": "Æblegrød — “citat”"},
            updated_by=officer,
        )
        for number, action in enumerate(["save", "save", "submit"], start=1):
            Revision.objects.create(
                submission=submission,
                number=number,
                action=action,
                state="submitted" if action == "submit" else "draft",
                author=officer,
                answers={"pupils_8_9": pupils - 3 + number},
                changed_keys=["pupils_8_9"],
            )
        record("submission.submitted", actor=officer, obj=submission)
    record("round.opened", actor=coordinator, obj=round_)


def as_json(value):
    return value if isinstance(value, dict | list) else json.loads(value)


def test_a_backup_restored_into_a_fresh_database_has_every_submission_and_revision(
    tmp_path, fresh_database
):
    build_data()
    backup_file = tmp_path / "indberet.backup"
    call_command("backup_database", out=str(backup_file))
    assert backup_file.stat().st_size > 0

    url, query = fresh_database
    result = manage("restore_database", str(backup_file), database_url=url)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    submissions = {
        (row[0], row[1], row[2], row[3], json.dumps(as_json(row[4]), sort_keys=True))
        for row in query(
            "SELECT id, round_id, municipality_id, state, answers FROM submissions_submission"
        )
    }
    assert submissions == {
        (s.pk, s.round_id, s.municipality_id, s.state, json.dumps(s.answers, sort_keys=True))
        for s in Submission.objects.all()
    }
    assert len(submissions) == 2
    revisions = {
        (row[0], row[1], row[2], row[3], json.dumps(as_json(row[4]), sort_keys=True))
        for row in query(
            "SELECT id, submission_id, number, action, answers FROM submissions_revision"
        )
    }
    assert revisions == {
        (r.pk, r.submission_id, r.number, r.action, json.dumps(r.answers, sort_keys=True))
        for r in Revision.objects.all()
    }
    assert len(revisions) == 6
    assert {row[0] for row in query("SELECT email FROM accounts_user")} == set(
        User.objects.values_list("email", flat=True)
    )
    assert {row[0] for row in query("SELECT id FROM accounts_auditevent")} == set(
        AuditEvent.objects.values_list("id", flat=True)
    )
    # Every organisation: the 98 municipalities and the 5 regions, each in its register.
    assert query("SELECT count(*) FROM surveys_municipality") == [(Municipality.objects.count(),)]
    assert Municipality.objects.municipalities().count() == 98
    # The restored database is a complete, migrated Indberet database.
    check = manage("migrate", "--check", database_url=url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_restore_into_a_database_that_is_not_empty_is_refused(tmp_path):
    backup_file = tmp_path / "indberet.backup"
    call_command("backup_database", out=str(backup_file))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_database", str(backup_file))


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, fresh_database):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("SELECT 1; -- not a backup\n")
    url, _ = fresh_database
    result = manage("restore_database", str(bogus), database_url=url)
    assert result.returncode != 0
    assert "cannot be restored" in result.stderr
    missing = manage("restore_database", str(tmp_path / "missing.backup"), database_url=url)
    assert missing.returncode != 0
    assert "does not exist" in missing.stderr
