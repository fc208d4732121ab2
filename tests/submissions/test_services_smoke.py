import pytest

from reference.models import Municipality
from submissions import services
from submissions.models import SubmissionState
from tests.factories import make_round, make_submission


@pytest.fixture
def round_(db):
    return make_round(codes=["360", "727"])


def test_a_draft_is_saved_with_what_was_typed_even_when_invalid(round_, lolland):
    lolland_m = Municipality.objects.get(code="360")
    outcome = services.save_draft(
        round_, lolland_m, actor=lolland, answers={"pupils_8_9": "abc"}, explanations={}, version=0
    )
    assert outcome.submission.answers["pupils_8_9"] == "abc"
    assert outcome.submission.version == 1
    assert outcome.submission.revisions.count() == 1


def test_a_stale_version_is_refused_and_nothing_is_overwritten(round_, lolland):
    m = Municipality.objects.get(code="360")
    services.save_draft(
        round_,
        m,
        actor=lolland,
        answers={"pupils_8_9": "100", "enrolled": "5"},
        explanations={},
        version=0,
    )
    with pytest.raises(services.StaleVersion):
        services.save_draft(
            round_, m, actor=lolland, answers={"pupils_8_9": "1"}, explanations={}, version=0
        )
    assert round_.submissions.get().answers["pupils_8_9"] == 100


def test_submit_is_blocked_by_an_error_and_then_succeeds_once(round_, lolland):
    m = Municipality.objects.get(code="360")
    services.save_draft(
        round_,
        m,
        actor=lolland,
        answers={"pupils_8_9": "100", "enrolled": "101"},
        explanations={},
        version=0,
    )
    with pytest.raises(services.SubmissionBlocked):
        services.submit(round_, m, actor=lolland)
    services.save_draft(
        round_,
        m,
        actor=lolland,
        answers={"pupils_8_9": "100", "enrolled": "5"},
        explanations={},
        version=1,
    )
    first = services.submit(round_, m, actor=lolland)
    second = services.submit(round_, m, actor=lolland)
    assert first.submission.state == SubmissionState.SUBMITTED
    assert second.changed is False
    assert first.submission.revisions.filter(action="submit").count() == 1


def test_the_factory_stores_a_submitted_answer(round_):
    sub = make_submission(round_, "727", {"pupils_8_9": 200, "enrolled": 10})
    assert sub.derived == {"share": 0.05}
