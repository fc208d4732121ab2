"""The receipt of a submit is queued with the submit (issue 16): with the database task
backend its task row is written in the submit's own transaction — committed with it, rolled
back with it, one commit fewer than writing it afterwards; with a backend that runs or sends
at once, it still waits for the commit."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from reference.models import Municipality
from submissions import services
from tests.factories import make_round

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def saved(db, lolland):
    round_ = make_round(codes=["360"])
    municipality = Municipality.objects.get(code="360", register__key="kommuner")
    services.save_draft(
        round_, municipality, actor=lolland, answers=ANSWERS, explanations={}, version=0
    )
    return round_, municipality


def receipts():
    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.all()
        if r.task_path == "submissions.tasks.send_receipt"
    ]


def test_the_receipt_task_is_written_in_the_submits_transaction(database_tasks, saved, lolland):
    round_, municipality = saved
    # The test runs inside a transaction that never commits: a task queued after the commit
    # would never be written here.
    outcome = services.submit(round_, municipality, actor=lolland, version=1)
    assert receipts() == [[outcome.submission.pk]]


def test_a_submit_rolled_back_leaves_no_receipt_task(database_tasks, saved, lolland):
    round_, municipality = saved

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.submit(round_, municipality, actor=lolland, version=1)
        raise Abort
    assert receipts() == []
    assert round_.submissions.get().state == "draft"


def test_a_blocked_submit_queues_nothing(database_tasks, lolland, db):
    round_ = make_round(codes=["360"])
    municipality = Municipality.objects.get(code="360", register__key="kommuner")
    with pytest.raises(services.SubmissionBlocked):
        services.submit(round_, municipality, actor=lolland)
    assert receipts() == []


def test_with_an_immediate_backend_the_receipt_waits_for_the_commit(
    saved, lolland, django_capture_on_commit_callbacks
):
    round_, municipality = saved
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit(round_, municipality, actor=lolland, version=1)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.count() == 0
