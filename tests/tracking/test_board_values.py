"""tracking.board reads timestamps as seconds since 1970 on PostgreSQL (board._seconds) and
member attributes as text: the rows must still hold exactly what is stored, to the
microsecond, on every database."""

import datetime as dt

from reference.models import Municipality
from submissions.models import Reminder, Submission
from tests.factories import make_round, make_submission
from tracking import board

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


def test_board_rows_hold_the_stored_moments_to_the_microsecond(db):
    round_ = make_round(codes=["101", "147", "727"], slug="moments")
    Municipality.objects.filter(code="147").update(attributes={"size": "large"})
    moments = {
        "101": dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
        "147": dt.datetime(1999, 12, 31, 22, 0, 0, 1, tzinfo=dt.UTC),
    }
    for code, moment in moments.items():
        sub = make_submission(round_, code, ANSWERS, state="submitted")
        Submission.objects.filter(pk=sub.pk).update(last_activity_at=moment, submitted_at=moment)
        for outcome, at in (("sent", moment), ("sent", moment - dt.timedelta(days=2))):
            Reminder.objects.create(
                round=round_,
                municipality=sub.municipality,
                claim_key=f"manual:{code}:{at.isoformat()}",
                outcome=outcome,
                sent_at=at,
            )
    rows = {row.code: row for row in board.board_rows(round_)}
    for code, moment in moments.items():
        assert rows[code].last_activity_at == moment
        assert rows[code].submitted_at == moment
        assert rows[code].last_reminder_at == moment
        assert rows[code].reminders_sent == 2
        assert rows[code].last_activity_at.utcoffset() == dt.timedelta(0)
    assert rows["727"].last_activity_at is None
    assert rows["727"].submitted_at is None
    assert rows["727"].last_reminder_at is None
    stored = dict(round_.recipients.values_list("code", "attributes"))
    assert {code: row.attributes for code, row in rows.items()} == {
        code: value or {} for code, value in stored.items()
    }


def test_the_response_series_counts_the_first_submission_by_local_day(db):
    round_ = make_round(codes=["101", "147"], slug="local-day")
    sub = make_submission(round_, "101", ANSWERS, state="submitted")
    # 23:30 UTC on 1 March is 00:30 on 2 March in Copenhagen.
    late_evening = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=late_evening)
    sub.revisions.update(created_at=late_evening)
    round_.opened_at = dt.datetime(2026, 2, 27, 8, tzinfo=dt.UTC)
    round_.save(update_fields=["opened_at"])
    assert board.first_responses(round_) == [late_evening]
    series = board.response_series(round_, total=2, now=dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC))
    by_day = {point.day: point.responded for point in series}
    assert by_day[dt.date(2026, 3, 1)] == 0
    assert by_day[dt.date(2026, 3, 2)] == 1
