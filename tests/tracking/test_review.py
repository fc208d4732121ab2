"""Review: the coordinator sees a submission with its warnings and the change since the
previous round, accepts it or returns it with a reason; the officer corrects and resubmits."""

import pytest
from django.core import mail

from reference.models import Municipality
from submissions import services
from submissions.models import Submission
from tests.factories import make_round, make_submission
from tracking import review

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def rounds(db, lolland, odder):
    sep = make_round(codes=["360", "727", "101"], slug="sep-2025", title="September 2025")
    make_submission(sep, "360", {"pupils_8_9": 100, "enrolled": 4}, state="accepted")
    feb = make_round(
        codes=["360", "727", "101"], slug="feb-2026", title="Februar 2026", previous=sep
    )
    return sep, feb


def test_the_review_page_shows_answers_warnings_explanations_and_change_since_last_round(
    rounds, as_coordinator
):
    _sep, feb = rounds
    make_submission(
        feb,
        "360",
        {"pupils_8_9": 200, "enrolled": 50},
        explanations={"share_high": "Nyt samarbejde med erhvervsskolen"},
    )
    response = as_coordinator.get("/opfoelgning/feb-2026/360/gennemse/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "25 % af eleverne er tilmeldt" in html
    assert "Nyt samarbejde med erhvervsskolen" in html
    assert "Antal elever har ændret sig mere end 30 %" in html
    assert "ingen forklaring" in html  # the history warning was not explained
    assert "Forrige runde (September 2025)" in html
    rows = {r.key: r for r in response.context["data"]["rows"]}
    assert rows["pupils_8_9"].change == {"diff": 100, "percent": 100.0}
    assert rows["enrolled"].previous == "4 elever"
    assert "25,0 %" in html  # the derived share, in Danish


def test_returning_without_a_reason_is_refused_with_a_clear_message(rounds, as_coordinator):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS)
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/727/gennemse/", {"action": "return", "reason": "   "}
    )
    assert response.status_code == 400
    assert "Skriv en begrundelse" in response.content.decode()
    assert Submission.objects.get(round=feb).state == "submitted"
    assert mail.outbox == []


def test_return_email_correct_resubmit_and_accept(
    rounds, as_coordinator, odder, django_capture_on_commit_callbacks
):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(
            "/opfoelgning/feb-2026/727/gennemse/",
            {"action": "return", "reason": "Antal elever ser for lavt ud — tjek 9. klasse."},
        )
    assert response.status_code == 302
    submission = Submission.objects.get(round=feb)
    assert submission.state == "returned"
    assert [m.to for m in mail.outbox] == [["officer@odder.dk"]]
    assert "Antal elever ser for lavt ud" in mail.outbox[0].body
    board = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "returned"})
    assert [m.code for m in board.context["rows"]] == ["727"]

    # The officer corrects and resubmits: back in the review queue.
    odder_m = Municipality.objects.get(code="727")
    services.save_draft(
        feb,
        odder_m,
        actor=odder,
        answers={"pupils_8_9": "260", "enrolled": "10"},
        explanations={},
        version=submission.version,
    )
    services.submit(feb, odder_m, actor=odder)
    queue = as_coordinator.get("/opfoelgning/feb-2026/gennemse/").context["queue"]
    assert [s.municipality.code for s in queue] == ["727"]

    response = as_coordinator.post("/opfoelgning/feb-2026/727/gennemse/", {"action": "accept"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "accepted"
    actions = list(submission.revisions.order_by("number").values_list("action", flat=True))
    assert actions[-4:] == ["return", "save", "submit", "accept"]


def test_accepting_a_returned_submission_is_refused_with_a_message(rounds, as_coordinator):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS, state="returned", returned_reason="Ret")
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/727/gennemse/", {"action": "accept"}, follow=True
    )
    assert "Kun indsendte besvarelser kan godkendes" in response.content.decode()
    assert Submission.objects.get(round=feb).state == "returned"


def test_an_unknown_action_is_refused(rounds, as_coordinator):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS)
    response = as_coordinator.post("/opfoelgning/feb-2026/727/gennemse/", {"action": "delete"})
    assert response.status_code == 405
    assert Submission.objects.get(round=feb).state == "submitted"


def test_bulk_accept_takes_only_submissions_without_warnings(rounds, as_coordinator):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS)
    make_submission(feb, "101", ANSWERS)
    make_submission(
        feb, "360", {"pupils_8_9": 100, "enrolled": 50}, explanations={"share_high": "ja"}
    )
    response = as_coordinator.post("/opfoelgning/feb-2026/gennemse/", {"all_clean": "1"})
    assert response.status_code == 302
    states = dict(Submission.objects.filter(round=feb).values_list("municipality__code", "state"))
    assert states == {"727": "accepted", "101": "accepted", "360": "submitted"}


def test_bulk_accept_of_chosen_ones_refuses_one_with_warnings(rounds, as_coordinator):
    _sep, feb = rounds
    clean = make_submission(feb, "727", ANSWERS)
    warned = make_submission(
        feb, "360", {"pupils_8_9": 100, "enrolled": 50}, explanations={"share_high": "ja"}
    )
    as_coordinator.post("/opfoelgning/feb-2026/gennemse/", {"ids": [warned.pk]})
    assert Submission.objects.get(pk=warned.pk).state == "submitted"
    as_coordinator.post("/opfoelgning/feb-2026/gennemse/", {"ids": [clean.pk]})
    assert Submission.objects.get(pk=clean.pk).state == "accepted"


def test_bulk_accept_leaves_a_submission_of_another_round_alone(rounds, coordinator):
    sep, feb = rounds
    other = Submission.objects.get(round=sep)
    other.state = "submitted"
    other.save()
    assert review.bulk_accept(feb, actor=coordinator, submission_ids=[other.pk]) == []
    assert Submission.objects.get(pk=other.pk).state == "submitted"


def test_bulk_accept_takes_the_same_number_of_queries_for_two_or_twenty(db, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import AuditEvent
    from submissions.models import Revision

    codes = list(
        Municipality.objects.municipalities().order_by("code").values_list("code", flat=True)[:22]
    )
    counts = {}
    for n, slug in ((2, "lille"), (20, "stor")):
        round_ = make_round(codes=codes[:n], slug=slug)
        for code in codes[:n]:
            make_submission(round_, code, ANSWERS)
        with CaptureQueriesContext(connection) as queries:
            accepted = review.bulk_accept(round_, actor=coordinator)
        assert len(accepted) == n
        assert set(Submission.objects.filter(round=round_).values_list("state", flat=True)) == {
            "accepted"
        }
        assert Revision.objects.filter(submission__round=round_, action="accept").count() == n
        counts[n] = len(queries)
    assert counts[2] == counts[20], counts
    assert AuditEvent.objects.filter(action="submission.accepted").count() == 22
    assert AuditEvent.objects.filter(action="submission.bulk_accepted").count() == 2


def test_returning_in_a_closed_round_is_refused(rounds, as_coordinator):
    _sep, feb = rounds
    make_submission(feb, "727", ANSWERS)
    feb.state = "closed"
    feb.save()
    response = as_coordinator.post(
        "/opfoelgning/feb-2026/727/gennemse/", {"action": "return", "reason": "Ret"}, follow=True
    )
    assert "Runden er lukket" in response.content.decode()
    assert Submission.objects.get(round=feb).state == "submitted"


def test_an_entries_submission_is_shown_entry_by_entry(db, as_coordinator, lolland):
    feb = make_round("proevehandlinger", codes=["360"], slug="ph-2026")
    entry = {
        "title": "Brobygning til FGU",
        "theme": "flexible_paths",
        "goal": "Flere unge i uddannelse",
        "status": "running",
        "target_groups": ["fgu", "unge_15_17"],
    }
    make_submission(feb, "360", {"entries": [entry], "nothing_to_report": False})
    response = as_coordinator.get("/opfoelgning/ph-2026/360/gennemse/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Post 1" in html and "Brobygning til FGU" in html
    assert "Fleksible og forpligtende veje" in html
