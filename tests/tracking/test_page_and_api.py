"""Rules the follow-up pages and the API share, run through both doors with the same cases:
which municipality codes a reminder may name (tracking.reminders.parse_codes, the one parser;
the API schema states its pattern), and who counts as not having responded."""

import re

import pytest

from submissions.models import Reminder
from tests.api.conftest import token_client
from tests.factories import make_round, make_submission
from tracking import reminders

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def round_(db, lolland, odder):
    round_ = make_round(codes=["360", "727", "706"], slug="feb-2026", title="Februar 2026")
    make_submission(round_, "360", ANSWERS)
    return round_


def through_page(coordinator, codes):
    from tests.conftest import client_for

    client = client_for(coordinator)
    url = "/opfoelgning/feb-2026/paamindelser/"
    page = client.get(url)
    nonce = re.search(r'name="nonce" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    subject, body = reminders.round_template(page.context["round"])
    response = client.post(
        url, {"target": "selected", "m": codes, "subject": subject, "body": body, "nonce": nonce}
    )
    return response.status_code == 302


def through_api(coordinator, codes):
    response = token_client(coordinator).post(
        "/api/v1/rounds/feb-2026/reminders/", {"municipalities": codes}, format="json"
    )
    assert response.status_code in (200, 400), response.content
    return response.status_code == 200


CODES = {
    "a recipient that has not answered": (["727"], True),
    "two recipients, one answered": (["727", "360"], True),
    "two digits": (["72"], False),
    "five digits": (["72700"], False),
    "letters": (["abc"], False),
    "four digits, no such recipient": (["7270"], False),
    "a code of another municipality": (["101"], False),
    "too many": ([f"{n:04d}" for n in range(reminders.MAX_CODES + 1)], False),
}


@pytest.mark.parametrize("door", [through_page, through_api], ids=["page", "api"])
@pytest.mark.parametrize("case", CODES)
def test_page_and_api_accept_the_same_municipality_codes(door, case, round_, coordinator):
    codes, accepted = CODES[case]

    assert door(coordinator, codes) is accepted
    assert Reminder.objects.exists() is accepted


def test_the_api_schema_states_the_parsers_pattern_and_limit(as_coordinator):
    schema = as_coordinator.get("/api/v1/schema/?format=json").json()
    body = schema["paths"]["/api/v1/rounds/{slug}/reminders/"]["post"]["requestBody"]
    listed = body["content"]["application/json"]["schema"]["properties"]["municipalities"]
    array = next(s for s in listed["oneOf"] if s.get("type") == "array")
    assert array["items"]["pattern"] == reminders.CODE_PATTERN
    assert array["maxItems"] == reminders.MAX_CODES
    # Any register's codes (a municipality's 727, a school's S05), nothing a URL cannot carry.
    for code in ("727", "0101", "S05"):
        assert re.match(array["items"]["pattern"], code)
    for code in ("", "abc", "7 27", "../727", "X" * 21):
        assert not re.match(array["items"]["pattern"], code)


# --- Who has not responded, and who a reminder goes to: the board's rows decide both


@pytest.fixture
def every_state(db, lolland, odder):
    """A recipient in every state: 360 submitted (Lolland's officer), 727 draft (Odder's
    officer), 101 returned, 751 accepted, 461 submitted late, 706 nothing and nobody, 147
    nothing but a contact person with an e-mail address and an inactive officer."""
    from accounts.models import Role
    from submissions.models import Contact
    from tests.factories import make_user

    codes = ["360", "727", "101", "751", "461", "706", "147"]
    round_ = make_round(codes=codes, slug="feb-2026", title="Februar 2026")
    make_submission(round_, "360", ANSWERS)
    make_submission(round_, "727", ANSWERS, state="draft")
    make_submission(round_, "101", ANSWERS, state="returned")
    make_submission(round_, "751", ANSWERS, state="accepted")
    make_submission(round_, "461", ANSWERS, late=True)
    make_user(Role.OFFICER, ["147"], email="gone@frederiksberg.dk", is_active=False)
    Contact.objects.create(
        municipality=round_.recipients.get(code="147"), name="Skolechef", email="Chef@FRB.dk"
    )
    return round_


def test_not_responded_is_the_boards_missing_on_the_page_in_the_api_and_in_reminders(
    every_state, coordinator
):
    from tests.conftest import client_for
    from tracking.board import board_rows

    missing = {r.code for r in board_rows(every_state) if not r.responded}
    assert missing == {"727", "101", "706", "147"}

    page = client_for(coordinator).get("/opfoelgning/feb-2026/paamindelser/", {"target": "all"})
    assert {m.code for m, _emails in page.context["chosen"]} == missing
    board = client_for(coordinator).get("/opfoelgning/feb-2026/", {"state": "missing"})
    assert {r.code for r in board.context["rows"]} == missing

    sent = token_client(coordinator).post(
        "/api/v1/rounds/feb-2026/reminders/", {"municipalities": "non_responders"}, format="json"
    )
    assert set(sent.json()["sent"]) | set(sent.json()["no_recipients"]) == missing
    assert set(sent.json()["no_recipients"]) == {"101", "706"}  # nobody to write to


def test_a_reminder_goes_to_the_people_the_board_shows(every_state):
    from tracking.board import board_rows

    rows = board_rows(every_state)
    ids = dict(every_state.recipients.values_list("code", "pk"))
    addresses = reminders.recipients_by_municipality(list(ids.values()))

    assert {r.code: r.emails for r in rows} == {c: addresses[pk] for c, pk in ids.items()}
    assert addresses[ids["147"]] == ["chef@frb.dk"]  # the contact; not the inactive officer
    assert addresses[ids["706"]] == []
