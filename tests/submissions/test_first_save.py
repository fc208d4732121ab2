"""A first save inserts the submission with its answers in one INSERT (issue 16: it was an
empty row and then an UPDATE). What must not change: a concurrent first save that wins the
INSERT is never overwritten by a stale one, a save without a version goes on from the row that
won, and a stale version on a submission never saved writes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reference.models import Municipality
from submissions import services
from submissions.models import Submission
from tests.factories import make_round

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def round_(db):
    return make_round(codes=["360", "727"])


@pytest.fixture
def lolland_m(db):
    return Municipality.objects.get(code="360", register__key="kommuner")


def save(round_, municipality, actor, answers=ANSWERS, version=0):
    return services.save_draft(
        round_, municipality, actor=actor, answers=answers, explanations={}, version=version
    )


def statements(ctx, verb):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith(verb) and '"submissions_submission"' in q["sql"].split("(")[0]
    ]


def test_a_first_save_is_one_insert_with_its_answers(round_, lolland_m, lolland):
    with CaptureQueriesContext(connection) as ctx:
        outcome = save(round_, lolland_m, lolland)
    assert len(statements(ctx, "INSERT")) == 1
    assert statements(ctx, "UPDATE") == []
    stored = Submission.objects.get(round=round_, municipality=lolland_m)
    assert stored.pk == outcome.submission.pk
    assert (stored.version, stored.answers["pupils_8_9"], stored.updated_by) == (1, 200, lolland)
    assert [r.number for r in stored.revisions.all()] == [1]


def test_a_later_save_updates_the_row(round_, lolland_m, lolland):
    save(round_, lolland_m, lolland)
    with CaptureQueriesContext(connection) as ctx:
        save(round_, lolland_m, lolland, {**ANSWERS, "enrolled": 11}, version=1)
    assert statements(ctx, "INSERT") == []
    assert len(statements(ctx, "UPDATE")) == 1
    assert Submission.objects.get(round=round_, municipality=lolland_m).version == 2


@pytest.fixture
def concurrent_first_save(monkeypatch, round_, lolland_m, odder):
    """Another first save commits its row after ours looked (and found none), before our
    INSERT: simulated by inserting that row right after our `_lock` returns."""
    real_lock = services._lock
    theirs = {}

    def lock(round_arg, municipality, *, create=True):
        submission = real_lock(round_arg, municipality, create=create)
        if submission.pk is None and not theirs:
            theirs["row"] = Submission.objects.create(
                round=round_arg,
                municipality=municipality,
                version=1,
                answers={"pupils_8_9": 999, "enrolled": 1},
            )
        return submission

    monkeypatch.setattr(services, "_lock", lock)
    return theirs


def test_a_first_save_that_loses_the_race_is_stale_and_overwrites_nothing(
    round_, lolland_m, lolland, concurrent_first_save
):
    with pytest.raises(services.StaleVersion) as refused:
        save(round_, lolland_m, lolland, version=0)
    # Refused against the row that won, as it was (the simulated concurrent row lives in the
    # same test transaction, so the refusal's rollback takes it away too).
    current = refused.value.submission
    assert current.pk == concurrent_first_save["row"].pk
    assert (current.version, current.answers["pupils_8_9"]) == (1, 999)
    assert not Submission.objects.filter(round=round_).exists()


def test_a_save_without_a_version_goes_on_from_the_row_that_won(
    round_, lolland_m, lolland, concurrent_first_save
):
    outcome = save(round_, lolland_m, lolland, version=None)
    stored = Submission.objects.get(round=round_, municipality=lolland_m)
    assert stored.pk == concurrent_first_save["row"].pk == outcome.submission.pk
    assert (stored.version, stored.answers["pupils_8_9"]) == (2, 200)


@pytest.mark.parametrize("version", [3, "-1"])
def test_a_stale_version_on_a_submission_never_saved_writes_nothing(
    round_, lolland_m, lolland, version
):
    with pytest.raises(services.StaleVersion) as refused:
        save(round_, lolland_m, lolland, version=version)
    assert refused.value.submission.version == 0
    assert not Submission.objects.filter(round=round_).exists()


def test_a_refused_first_save_writes_nothing(lolland_m, lolland, db):
    draft = make_round(codes=["360"], state="draft")
    with pytest.raises(services.NotEditable):
        save(draft, lolland_m, lolland)
    assert not Submission.objects.filter(round=draft).exists()


def _first_saves_at_once(attempt):
    from django.db import connections

    from tests.factories import make_user
    from tests.tracking.test_reminders_concurrency import _run_concurrently

    round_ = make_round(codes=["360"], slug=f"race-{attempt}")
    users = [make_user(email=f"o{attempt}-{i}@lolland.dk", codes=["360"]) for i in (1, 2)]
    municipality = Municipality.objects.get(code="360", register__key="kommuner")
    outcomes = []

    def work(turn=[0]):  # noqa: B006 - which thread this is, shared by the two
        turn[0] += 1
        me = turn[0]
        try:
            save(round_, municipality, users[me - 1], {**ANSWERS, "enrolled": me})
            outcomes.append(("saved", me))
        except services.StaleVersion:
            outcomes.append(("stale", me))

    _run_concurrently(work)
    connections.close_all()
    return round_, outcomes


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_one_wins_and_the_other_is_stale():
    """On PostgreSQL, for real: two first saves of the same submission at the same moment
    (the second INSERT waits on the unique constraint, or the second lock finds the row).
    Whatever the timing, one save lands and the other is refused, never overwriting it."""
    from tests.tracking.test_reminders_concurrency import require_postgresql

    require_postgresql()
    for attempt in range(5):
        round_, outcomes = _first_saves_at_once(attempt)
        assert sorted(kind for kind, _ in outcomes) == ["saved", "stale"], outcomes
        winner = next(me for kind, me in outcomes if kind == "saved")
        stored = Submission.objects.get(round=round_)
        assert (stored.version, stored.answers["enrolled"]) == (1, winner)
        assert [r.number for r in stored.revisions.all()] == [1]


def test_another_constraint_failing_on_the_insert_is_not_taken_for_the_race(
    round_, lolland_m, lolland, monkeypatch
):
    # Only "someone else inserted the row first" is handled by starting again; any other
    # IntegrityError must surface as itself, not be retried against a row that does not exist.
    from django.db import IntegrityError

    def failing_save(self, *args, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(Submission, "save", failing_save)
    with pytest.raises(IntegrityError, match="some other constraint"):
        save(round_, lolland_m, lolland)
    assert not Submission.objects.exists()
