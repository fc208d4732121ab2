"""A real worker: `manage.py db_worker` runs as its own process against the test database, picks
up an e-mail task enqueued here, sends the e-mail (file backend) and records success.

On PostgreSQL (CI) the worker uses the test database itself. SQLite's test database lives in
this process's memory, so there the enqueued task is handed over in a database file made with
the project's own backup command, and the worker runs against that file.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lib.backup import backup
from lib.mail import send_email_task

BASE_DIR = Path(__file__).resolve().parent.parent
TIMEOUT = 90

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def postgres_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """start(database_url) → the running worker process; stopped (killed if need be) after."""
    processes = []
    var_dir = tmp_path / "var"

    def start(database_url):
        env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
        env.update(
            {
                "DATABASE_URL": database_url,
                "TASKS_BACKEND": "database",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "VAR_DIR": str(var_dir),  # e-mail files go to VAR_DIR/mail
                "TESTING": "1",
            }
        )
        log = (tmp_path / "worker.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "default",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--verbosity",
                "2",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        return process

    start.mail_dir = var_dir / "mail"
    start.log = tmp_path / "worker.log"
    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(condition, process, log):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"nothing after {TIMEOUT} s; worker log:\n{log.read_text()}")


def test_a_worker_process_sends_a_queued_email_and_records_success(
    database_tasks, worker, tmp_path
):
    result = send_email_task.enqueue(
        "Påmindelse: Juniormesterlære", "Husk at indberette.", ["officer@lolland.dk"]
    )
    assert result.status == TaskResultStatus.READY

    if connection.vendor == "postgresql":
        process = worker(postgres_url())

        def status():
            result.refresh()
            return result.status if result.status != TaskResultStatus.READY else None

    else:
        path = backup(tmp_path / "worker.sqlite3")
        process = worker(f"sqlite:///{path}")

        def status():
            with sqlite3.connect(path) as db:
                row = db.execute(
                    f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = ?",
                    [uuid.UUID(result.id).hex],
                ).fetchone()
            return row[0] if row and row[0] not in ("READY", "RUNNING") else None

    def sent_mail():
        files = list(worker.mail_dir.glob("*.log")) if worker.mail_dir.exists() else []
        return files if files and status() else None

    files = wait_for(sent_mail, process, worker.log)
    assert status() == TaskResultStatus.SUCCESSFUL
    assert len(files) == 1
    message = files[0].read_text()
    assert "To: officer@lolland.dk" in message
    assert "Husk at indberette." in message
    assert "Subject: =?utf-8?q?P=C3=A5mindelse" in message
    if connection.vendor == "postgresql":
        assert result.return_value == 1
    else:
        with sqlite3.connect(path) as db:
            (value,) = db.execute(
                f"SELECT return_value FROM {DBTaskResult._meta.db_table} WHERE id = ?",
                [uuid.UUID(result.id).hex],
            ).fetchone()
        assert json.loads(value) == 1
    assert process.poll() is None  # still running, waiting for the next task


def test_the_email_task_takes_plain_json_arguments_and_runs_immediately_by_default(mailoutbox):
    result = send_email_task.enqueue("Emne", "Tekst", ["a@example.dk", "b@example.dk"])
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert mailoutbox[0].to == ["a@example.dk", "b@example.dk"]
