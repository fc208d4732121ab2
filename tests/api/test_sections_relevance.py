"""The API and show-when: an answer sent for a question a show-when hides is dropped (stored
as null, like the form clears it) and the question is listed in `hidden`; it is not required.
Sections are part of the definition the API imports and returns."""

import pytest

from tests.api.conftest import token_client, url
from tests.factories import make_submission
from tests.surveys.sectioned import sectioned, sectioned_round, with_entries

SLUG = "udsatte-2026"
SUB = url(f"rounds/{SLUG}/submissions/360/")


@pytest.fixture
def outreach(db):
    return sectioned_round(codes=["360", "727"], slug=SLUG)


def test_an_answer_for_a_hidden_question_is_dropped_and_listed_as_hidden(clients, outreach):
    officer = clients["officer_own"]
    answers = {"pupils": 40, "has_agreements": False, "agreements": 50, "agreements_note": "x"}
    response = officer.put(SUB, {"version": 0, "answers": answers}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["answers"]["agreements"] is None and body["answers"]["agreements_note"] is None
    assert body["hidden"] == [
        {"field": "agreements", "entry": None},
        {"field": "agreements_note", "entry": None},
    ]
    assert body["errors"] == []  # neither required nor checked by the rule
    assert officer.get(SUB).json()["hidden"] == body["hidden"]
    submitted = officer.post(SUB + "submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"


def test_a_shown_question_is_required_through_the_api(clients, outreach):
    officer = clients["officer_own"]
    answers = {"pupils": 40, "has_agreements": True}
    body = officer.put(SUB, {"version": 0, "answers": answers}, format="json").json()
    assert body["hidden"] == [{"field": "agreements_note", "entry": None}]
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("agreements", "required")]


def test_an_empty_submission_lists_what_blank_answers_hide(clients, outreach):
    body = clients["officer_own"].get(SUB).json()
    assert [h["field"] for h in body["hidden"]] == ["agreements", "agreements_note"]


def test_an_analyst_learns_nothing_about_a_drafts_answers_from_hidden(clients, outreach):
    make_submission(outreach, "360", {"pupils": 40, "has_agreements": False}, state="draft")
    body = clients["analyst"].get(SUB).json()
    assert body["answers"] == {} and body["hidden"] == []
    make_submission(outreach, "727", {"pupils": 40, "has_agreements": False})
    other = clients["analyst"].get(url(f"rounds/{SLUG}/submissions/727/")).json()
    assert [h["field"] for h in other["hidden"]] == ["agreements", "agreements_note"]


def test_an_outsider_gets_404_not_the_hidden_questions(clients, outreach):
    assert clients["officer_other"].get(SUB).status_code == 404
    assert clients["anonymous"].get(SUB).status_code == 401


def test_hidden_is_listed_per_entry_in_a_survey_with_entries(clients, db):
    round_ = sectioned_round(codes=["360"], slug="ph-sektioner", content=with_entries())
    spec = round_.definition.spec
    theme = spec.question("theme").choice_values[0]
    entry = {"title": "A", "theme": theme, "goal": "G", "learning": "L"}
    answers = {
        "entries": [{**entry, "status": "planned"}, {**entry, "status": "completed"}],
        "nothing_to_report": False,
    }
    sub = url("rounds/ph-sektioner/submissions/360/")
    body = clients["officer_own"].put(sub, {"version": 0, "answers": answers}, format="json")
    body = body.json()
    assert body["hidden"] == [{"field": "learning", "entry": 0}]
    assert body["answers"]["entries"][0]["learning"] is None
    assert body["answers"]["entries"][1]["learning"] == "L"


def test_a_survey_without_show_when_lists_nothing_hidden(clients, round_):
    assert (
        clients["officer_own"].get(url("rounds/jml-2026-02/submissions/360/")).json()["hidden"]
        == []
    )


def test_a_definition_with_sections_is_imported_and_returned_as_sent(coordinator, db):
    client = token_client(coordinator)
    response = client.post(url("surveys/"), sectioned(), format="json")
    assert response.status_code == 201, response.content
    back = client.get(url("surveys/udsatte_elever/definition/")).json()
    assert back["sections"] == sectioned()["sections"]
    assert back["questions"][3]["relevant_when"] == "agreements > 10"


def test_a_circular_show_when_is_refused_by_the_api_with_the_path(coordinator, db):
    content = sectioned()
    content["questions"][1]["relevant_when"] = "agreements > 0"
    response = token_client(coordinator).post(url("surveys/"), content, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "questions[1].relevant_when"
    assert "has_agreements → agreements → has_agreements" in error["fields"][0]["message"]
