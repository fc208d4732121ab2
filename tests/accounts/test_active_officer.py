"""One home for "has an active officer" (accounts.selectors.active_memberships): the round's
open page (who gets no invitation), the board's "no contact", the API's round status and who
receives e-mail all read it — the same case seen through each."""

import pytest

from accounts.models import Role
from accounts.selectors import officers_of
from surveys.selectors import without_officer
from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import make_round, make_user
from tracking.board import BoardState, board_rows


@pytest.fixture
def cast(db):
    """360 has an active officer; 727 only a deactivated one; 101 nobody at all."""
    active = make_user(Role.OFFICER, ["360"], email="active@lolland.dk")
    gone = make_user(Role.OFFICER, ["727"], email="gone@odder.dk", is_active=False)
    return active, gone


def test_one_rule_says_who_has_an_active_officer(cast, coordinator):
    active, _gone = cast
    draft = make_round(codes=["360", "727", "101"], state="draft", slug="kladde")
    opened = make_round(codes=["360", "727", "101"], slug="aaben")
    nobody = {"727", "101"}

    assert {m.code for m in without_officer(draft)} == nobody
    page = client_for(coordinator).get("/runder/kladde/aabn/")
    assert {m.code for m in page.context["without_officer"]} == nobody

    no_contact = {r.code for r in board_rows(opened) if r.board_state == BoardState.NO_CONTACT}
    assert no_contact == nobody
    status = token_client(coordinator).get("/api/v1/rounds/aaben/status/").json()
    assert {r["municipality"] for r in status if r["state"] == "no_contact"} == nobody

    ids = list(opened.recipients.values_list("pk", flat=True))
    assert list(officers_of(ids)) == [active]
