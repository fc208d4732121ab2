"""The board's state computation, counters and response-rate series."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from reference.models import Municipality
from submissions.models import ChaseNote, Contact, Reminder, Revision
from tests.factories import make_round, make_submission, make_user
from tracking import board
from tracking.board import BoardState

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}
# Lolland has an officer in every test (the `lolland` fixture); the others get what they need.
CODES = ["360", "727", "101", "147", "151", "153", "155", "157"]


@pytest.fixture
def round_(db, lolland):
    round_ = make_round(codes=CODES)
    for code in ["727", "101", "147", "151", "153", "155"]:
        make_user(Role.OFFICER, [code])
    return round_


def states(round_):
    return {row.code: row.board_state for row in board.board_rows(round_)}


def test_every_state_is_computed_from_the_submission_and_the_contacts(round_):
    make_submission(round_, "727", ANSWERS, state="draft")
    make_submission(round_, "101", ANSWERS, state="submitted")
    make_submission(round_, "147", ANSWERS, state="submitted", late=True)
    make_submission(round_, "151", ANSWERS, state="returned", returned_reason="Ret tallet")
    make_submission(round_, "153", ANSWERS, state="accepted")
    Contact.objects.create(municipality=Municipality.objects.get(code="157"), name="Kim")

    assert states(round_) == {
        "360": BoardState.NOT_STARTED,
        "727": BoardState.DRAFT,
        "101": BoardState.SUBMITTED,
        "147": BoardState.LATE,
        "151": BoardState.RETURNED,
        "153": BoardState.ACCEPTED,
        "155": BoardState.NOT_STARTED,
        # no officer but a recorded contact person: someone to chase
        "157": BoardState.NOT_STARTED,
    }


def test_a_municipality_with_no_officer_and_no_contact_person_is_no_contact(round_):
    Municipality.objects.get(code="157").contacts.all().delete()
    assert states(round_)["157"] == BoardState.NO_CONTACT


def test_an_inactive_officer_does_not_count_as_a_contact(round_):
    user = make_user(Role.OFFICER, ["157"])
    assert states(round_)["157"] == BoardState.NOT_STARTED
    user.is_active = False
    user.save()
    assert states(round_)["157"] == BoardState.NO_CONTACT


def test_a_submission_wins_over_no_contact(round_):
    make_submission(round_, "157", ANSWERS, state="submitted")
    assert states(round_)["157"] == BoardState.SUBMITTED


def test_a_submission_to_another_round_does_not_leak_into_the_board(round_):
    other = make_round(codes=CODES)
    make_submission(other, "727", ANSWERS, state="accepted")
    assert states(round_)["727"] == BoardState.NOT_STARTED
    assert states(other)["727"] == BoardState.ACCEPTED


def test_only_recipients_are_rows(round_):
    assert sorted(states(round_)) == sorted(CODES)


def test_rows_carry_officers_reminders_and_the_latest_note(round_, lolland, coordinator):
    m = Municipality.objects.get(code="360")
    Reminder.objects.create(
        round=round_, municipality=m, claim_key="manual:a", outcome="sent", sent_at=timezone.now()
    )
    Reminder.objects.create(round=round_, municipality=m, claim_key="manual:b", outcome="failed")
    ChaseNote.objects.create(
        round=round_,
        municipality=m,
        noted_on=dt.date(2026, 3, 10),
        text="ældre",
        author=coordinator,
    )
    ChaseNote.objects.create(
        round=round_, municipality=m, noted_on=dt.date(2026, 3, 12), text="ringede", author=None
    )
    row = next(r for r in board.board_rows(round_) if r.code == "360")
    assert [o.email for o in row.officers] == ["officer@lolland.dk"]
    assert row.reminders_sent == 1
    assert row.last_reminder_at is not None
    assert row.last_note_text == "ringede"
    assert row.last_note_on == dt.date(2026, 3, 12)


def test_counters_say_how_many_have_answered_are_missing_and_await_review(round_):
    make_submission(round_, "727", ANSWERS, state="draft")
    make_submission(round_, "101", ANSWERS, state="submitted")
    make_submission(round_, "147", ANSWERS, state="submitted", late=True)
    make_submission(round_, "153", ANSWERS, state="accepted")
    c = board.board_counters(board.board_rows(round_))
    assert (c.total, c.responded, c.missing, c.awaiting_review, c.accepted) == (8, 3, 5, 2, 1)
    assert c.by_state[BoardState.NO_CONTACT] == 1


def test_the_response_series_counts_first_submissions_per_day_since_opening(db):
    opened = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(opened, tick=False):
        round_ = make_round(codes=["360", "727", "101", "147"])
    for code, day in [("360", 2), ("727", 4)]:
        with time_machine.travel(opened + dt.timedelta(days=day), tick=False):
            sub = make_submission(round_, code, ANSWERS, state="submitted")
    # A returned and resubmitted answer counts from its first submission.
    Revision.objects.create(
        submission=sub,
        number=2,
        action="submit",
        state="submitted",
        answers={},
        created_at=opened + dt.timedelta(days=1),
    )
    series = board.response_series(round_, total=4, now=opened + dt.timedelta(days=5))
    assert [p.responded for p in series] == [0, 1, 2, 2, 2, 2]
    assert series[-1].percent == 50.0
    chart = board.response_chart(series, deadline=round_.deadline)
    assert len(chart.points.split()) == 6


def test_deadline_info_counts_calendar_days_left_and_passed(db):
    round_ = make_round(codes=["360"], deadline=dt.datetime(2026, 3, 13, 11, tzinfo=dt.UTC))
    before = board.deadline_info(round_, now=dt.datetime(2026, 3, 8, 20, tzinfo=dt.UTC))
    after = board.deadline_info(round_, now=dt.datetime(2026, 3, 15, 8, tzinfo=dt.UTC))
    assert (before.days_left, before.passed) == (5, False)
    assert (after.days_left, after.passed) == (-2, True)


def test_the_table_behind_the_chart_lists_only_the_days_the_count_changed():
    days = [dt.date(2026, 2, 1) + dt.timedelta(days=i) for i in range(6)]
    series = [board.SeriesPoint(d, n, 0.0) for d, n in zip(days, [0, 1, 1, 1, 3, 3], strict=True)]
    assert [p.responded for p in board.series_changes(series)] == [0, 1, 3, 3]
