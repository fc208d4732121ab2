"""Saving and submitting through the API: optimistic concurrency (409 with the current
version), idempotent submit, 400 for what is malformed — and invalid values saved, like the form."""

import pytest

from submissions.models import Submission
from tests.api.conftest import SLUG, VALID, token_client, url
from tests.factories import make_round

SUB = url(f"rounds/{SLUG}/submissions/360/")


def test_a_submission_never_saved_reads_as_an_empty_draft_with_version_0(clients, round_):
    body = clients["officer_own"].get(SUB).json()
    assert body["version"] == 0
    assert body["state"] == "draft"
    assert body["editable"] is True
    assert {e["field"] for e in body["errors"]} == {"pupils_8_9", "enrolled"}


def test_a_save_returns_the_new_version_with_errors_and_warnings(clients, round_):
    response = clients["officer_own"].put(
        SUB, {"version": 0, "answers": {"pupils_8_9": 100, "enrolled": 30}}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["errors"] == []
    assert [w["key"] for w in body["warnings"]] == ["share_high"]
    assert body["warnings"][0]["explain"] == "share_high"
    assert body["derived"] == {"share": 0.3}


def test_invalid_values_are_saved_as_typed_and_reported_not_refused(clients, round_):
    response = clients["officer_own"].put(
        SUB, {"version": 0, "answers": {"pupils_8_9": "mange", "enrolled": -1}}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["answers"]["pupils_8_9"] == "mange"
    assert {e["code"] for e in body["errors"]} == {"not_integer", "negative"}
    assert Submission.objects.get().answers["pupils_8_9"] == "mange"


def test_the_409_flow_two_clients_save_from_the_same_version(lolland, coordinator, round_):
    officer, coord = token_client(lolland), token_client(coordinator, "en")
    assert officer.get(SUB).json()["version"] == coord.get(SUB).json()["version"] == 0

    first = officer.put(SUB, {"version": 0, "answers": VALID}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 1

    stale = coord.put(
        SUB, {"version": 0, "answers": {"pupils_8_9": 999, "enrolled": 1}}, format="json"
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "stale_version"
    assert "changed by someone else" in error["message"]
    assert error["current"]["version"] == 1
    assert error["current"]["answers"]["pupils_8_9"] == 200
    assert Submission.objects.get().answers["pupils_8_9"] == 200  # nothing overwritten

    # Recover: merge into the current answers and save with the current version.
    merged = {**error["current"]["answers"], "enrolled": 1}
    retry = coord.put(
        SUB, {"version": error["current"]["version"], "answers": merged}, format="json"
    )
    assert retry.status_code == 200
    assert retry.json()["version"] == 2
    assert retry.json()["answers"] == {"pupils_8_9": 200, "enrolled": 1, "comment": None}


def test_submit_is_idempotent(clients, round_):
    client = clients["officer_own"]
    client.put(SUB, {"version": 0, "answers": VALID}, format="json")
    first = client.post(SUB + "submit/", {}, format="json")
    second = client.post(SUB + "submit/", {}, format="json")
    assert first.status_code == second.status_code == 200
    assert first.json()["state"] == second.json()["state"] == "submitted"
    assert first.json()["version"] == second.json()["version"] == 2
    submission = Submission.objects.get()
    assert submission.revisions.filter(action="submit").count() == 1


def test_submit_without_a_body_works_and_saving_after_it_is_refused(clients, round_):
    client = clients["officer_own"]
    client.put(SUB, {"version": 0, "answers": VALID}, format="json")
    assert client.post(SUB + "submit/").status_code == 200
    again = client.put(SUB, {"version": 2, "answers": VALID}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_submitted"


def test_submit_is_refused_with_the_blocking_errors_and_unexplained_warnings(clients, round_):
    client = clients["officer_own"]
    client.put(SUB, {"version": 0, "answers": {"pupils_8_9": 100, "enrolled": 30}}, format="json")
    response = client.post(SUB + "submit/", {"version": 1}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "blocked"
    assert error["fields"] == [
        {
            "field": "explanations.share_high",
            "code": "explanation_missing",
            "message": "Skriv en forklaring til advarslen, før du indsender.",
        }
    ]
    assert error["blocking"][0]["warning"].startswith("30 % af eleverne er tilmeldt")

    explained = client.put(
        SUB,
        {
            "version": 1,
            "answers": {"pupils_8_9": 100, "enrolled": 30},
            "explanations": {"share_high": "Ny linje på skolen."},
        },
        format="json",
    )
    assert explained.status_code == 200
    assert client.post(SUB + "submit/", {"version": 2}, format="json").status_code == 200


def test_submit_with_a_stale_version_answers_409(clients, round_):
    client = clients["officer_own"]
    client.put(SUB, {"version": 0, "answers": VALID}, format="json")
    response = client.post(SUB + "submit/", {"version": 0}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["current"]["version"] == 1


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"version": 0, "answers": {"pupils": 1}}, "answers.pupils", "unknown_key"),
        ({"version": 0, "answers": {"enrolled": {"a": 1}}}, "answers.enrolled", "invalid_type"),
        (
            {"version": 0, "answers": {}, "explanations": {"nope": "x"}},
            "explanations.nope",
            "unknown_key",
        ),
        ({"answers": {}}, "version", "required"),
        ({"version": "one", "answers": {}}, "version", "invalid"),
        ({"version": 0, "answers": []}, "answers", "not_a_dict"),
        ({"version": 0}, "answers", "required"),
    ],
)
def test_malformed_or_unknown_keys_answer_400_with_the_field(clients, round_, body, field, code):
    response = clients["officer_own"].put(SUB, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert {"field": field, "code": code} == {k: error["fields"][0][k] for k in ("field", "code")}
    assert not Submission.objects.exists()


def test_malformed_json_answers_400_in_the_error_shape(clients, round_):
    response = clients["officer_own"].generic(
        "PUT", SUB, '{"version": 0, "answers": {', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_an_entries_survey_takes_entries_as_a_list(lolland, db):
    make_round("proevehandlinger", codes=["360"], slug="ph-2026")
    client = token_client(lolland)
    path = url("rounds/ph-2026/submissions/360/")
    entry = {"title": "Skolehave", "theme": "x", "goal": "Læring", "status": "planned"}
    response = client.put(
        path,
        {"version": 0, "answers": {"entries": [entry], "nothing_to_report": False}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["answers"]["entries"][0]["title"] == "Skolehave"
    assert any(e["entry"] == 0 and e["field"] == "theme" for e in body["errors"])

    bad = client.put(path, {"version": 1, "answers": {"entries": [{"tittel": "x"}]}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "answers.entries[0].tittel"


def test_a_coordinator_accepts_and_returns_with_a_reason(clients, round_):
    clients["officer_own"].put(SUB, {"version": 0, "answers": VALID}, format="json")
    clients["officer_own"].post(SUB + "submit/")
    accepted = clients["coordinator"].post(SUB + "accept/")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert clients["coordinator"].post(SUB + "accept/").status_code == 200  # harmless twice

    no_reason = clients["coordinator"].post(SUB + "return/", {"reason": "  "}, format="json")
    assert no_reason.status_code == 400
    returned = clients["coordinator"].post(
        SUB + "return/", {"reason": "Tjek tallet."}, format="json"
    )
    assert returned.status_code == 200
    body = clients["officer_own"].get(SUB).json()
    assert body["state"] == "returned"
    assert body["returned_reason"] == "Tjek tallet."
    assert body["editable"] is True


def test_accepting_a_submission_never_saved_answers_409(clients, round_):
    response = clients["coordinator"].post(SUB + "accept/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_submitted"


def test_saving_in_a_closed_round_answers_409(clients, round_):
    clients["coordinator"].post(url(f"rounds/{SLUG}/close/"))
    response = clients["officer_own"].put(SUB, {"version": 0, "answers": VALID}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "round_closed"
