"""Rules the officer's form and the submission API share, run through both doors with the same
cases. "May save now" has one home (submissions.services.save_refusal / may_save): the form's
`editable` and the API's `editable` agree for every round state, submission state and role."""

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
