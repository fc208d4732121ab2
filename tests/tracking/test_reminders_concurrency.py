"""`send_reminders` on two machines at once sends each reminder once.

Real concurrency needs PostgreSQL (row locks on the unique index; CI runs on it). On SQLite,
which serialises writers, the test says so and is skipped — except on CI, where a skip would
hide a missing guarantee, so it fails instead. The sequential twin runs everywhere."""

import datetime as dt
import os
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from submissions.models import Reminder
from tests.factories import make_round, make_user
from tracking import reminders

DEADLINE = dt.datetime(2026, 3, 13, 11, 0, tzinfo=dt.UTC)
CODES = ["360", "727", "101", "147", "151", "153", "155", "157"]


def require_postgresql():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") or os.environ.get("CI_REQUIRE_E2E"):
        pytest.fail("The concurrency tests must run on PostgreSQL on CI (set DATABASE_URL).")
    pytest.skip("Concurrency needs PostgreSQL; set DATABASE_URL=postgres://… to run it.")


def _round_with_officers():
    with time_machine.travel(DEADLINE - dt.timedelta(days=20), tick=False):
        round_ = make_round(codes=CODES, slug="conc", deadline=DEADLINE)
    for code in CODES:
        make_user(email=f"officer{code}@kommune.dk", codes=[code])
    return round_


def _run_concurrently(target, n=2):
    barrier = threading.Barrier(n)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_reminder_once(monkeypatch):
    require_postgresql()
    _round_with_officers()
    render = reminders.render

    def slow_render(*args, **kwargs):
        time.sleep(0.02)  # widen the window in which both runs are inside their transaction
        return render(*args, **kwargs)

    monkeypatch.setattr(reminders, "render", slow_render)
    at = DEADLINE - dt.timedelta(days=1) + dt.timedelta(hours=1)

    def run():
        with time_machine.travel(at, tick=False):
            call_command("send_reminders", verbosity=0)

    _run_concurrently(run, n=3)
    assert Reminder.objects.filter(claim_key="schedule:-1").count() == len(CODES)
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(
        f"officer{code}@kommune.dk" for code in CODES
    )


@pytest.mark.django_db(transaction=True)
def test_two_presses_of_send_at_once_send_once():
    require_postgresql()
    round_ = _round_with_officers()
    from accounts.models import Role

    coordinator = make_user(Role.COORDINATOR, email="k@indberet.dk")
    nonce = reminders.new_nonce()
    subject, body = reminders.default_template()

    def press():
        with time_machine.travel(DEADLINE - dt.timedelta(days=2), tick=False):
            reminders.send_manual(
                round_,
                actor=coordinator,
                all_not_submitted=True,
                subject=subject,
                body=body,
                nonce=nonce,
            )

    _run_concurrently(press, n=2)
    assert Reminder.objects.filter(claim_key=f"manual:{nonce}").count() == len(CODES)
    assert len(mail.outbox) == len(CODES)


@pytest.mark.django_db(transaction=True)
def test_the_command_run_twice_in_a_row_sends_once_on_any_database():
    _round_with_officers()
    at = DEADLINE - dt.timedelta(days=7) + dt.timedelta(minutes=3)
    for minutes in (0, 5):
        with time_machine.travel(at + dt.timedelta(minutes=minutes), tick=False):
            call_command("send_reminders", verbosity=0)
    assert Reminder.objects.count() == len(CODES)
    assert len(mail.outbox) == len(CODES)
