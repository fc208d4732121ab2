"""Rules the officer's form and the submission API share, run through both doors with the same
cases. "May save now" has one home (submissions.services.save_refusal / may_save): the form's
`editable` and the API's `editable` agree for every round state, submission state and role."""

import json

import pytest

from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import make_round, make_submission

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.mark.parametrize("round_state", ["draft", "open", "closed"])
@pytest.mark.parametrize("state", [None, "draft", "returned", "submitted", "accepted"])
@pytest.mark.parametrize("who", ["lolland", "coordinator", "analyst"])
def test_the_form_and_the_api_agree_on_whether_you_may_save_now(
    round_state, state, who, request, db
):
    user = request.getfixturevalue(who)
    round_ = make_round(codes=["360"], state=round_state, slug="feb-2026")
    if state:
        make_submission(round_, "360", ANSWERS, state=state)

    page = client_for(user).get("/indberet/feb-2026/360/")
    api = token_client(user).get("/api/v1/rounds/feb-2026/submissions/360/")

    assert page.status_code == api.status_code
    if page.status_code != 200:
        return
    editable = api.json()["editable"]
    assert page.context["editable"] is editable
    expected = (
        who != "analyst"
        and state in (None, "draft", "returned")
        and (round_state == "open" or (round_state == "draft" and who == "coordinator"))
    )
    assert editable is expected


@pytest.mark.parametrize(
    "door, typed, kept",
    [
        ("page", "hej\x00med\x07dig", "hejmeddig"),  # NUL and a bell
        ("api", "hej\x00med\x07dig", "hejmeddig"),
        # A lone surrogate: JSON can carry one; a form's UTF-8 bytes cannot.
        ("api", "a\ud800b", "ab"),
    ],
)
def test_control_characters_are_stripped_saved_and_reported_alike(door, typed, kept, lolland):
    from submissions.models import Submission

    round_ = make_round(codes=["360"], slug="feb-2026")
    if door == "page":
        data = {"q-pupils_8_9": "400", "q-enrolled": "20", "q-comment": typed, "version": "0"}
        response = client_for(lolland).post("/indberet/feb-2026/360/", {**data, "action": "save"})
        assert response.status_code == 302
    else:
        body = {"version": 0, "answers": {"pupils_8_9": 400, "enrolled": 20, "comment": typed}}
        response = token_client(lolland).generic(
            "PUT",
            "/api/v1/rounds/feb-2026/submissions/360/",
            json.dumps(body),  # ASCII, escapes and all: a lone surrogate is "\\ud800"
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    saved = Submission.objects.get(round=round_)
    assert saved.answers["comment"] == kept
    assert [f["code"] for f in saved.findings if f.get("severity") == "error"] == ["control_chars"]
