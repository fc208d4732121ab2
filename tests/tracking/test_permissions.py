"""Every /opfoelgning/ URL × every role: the coordinator gets the page; officers (also the
outsider Odder and Lolland, whose own municipality is on the page), analysts get 404;
anonymous visitors are sent to the login page. Nothing changes for those refused."""

import pytest

from accounts.models import AuditEvent
from submissions.models import ChaseNote, Contact, Reminder
from tests.conftest import client_for
from tests.factories import make_round, make_submission

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}

GET_URLS = [
    "/opfoelgning/",
    "/opfoelgning/feb-2026/",
    "/opfoelgning/feb-2026/paamindelser/?target=all",
    "/opfoelgning/feb-2026/paamindelser/plan/",
    "/opfoelgning/feb-2026/ikke-svaret.csv",
    "/opfoelgning/feb-2026/ikke-svaret.xlsx",
    "/opfoelgning/feb-2026/gennemse/",
    "/opfoelgning/feb-2026/luk/",
    "/opfoelgning/feb-2026/genaabn/",
    "/opfoelgning/feb-2026/360/",
    "/opfoelgning/feb-2026/727/gennemse/",
]
POST_URLS = [
    ("/opfoelgning/feb-2026/360/note/", {"noted_on": "2026-03-01", "text": "ringede"}),
    ("/opfoelgning/feb-2026/360/kontakt/", {"name": "Kim", "email": "kim@lolland.dk"}),
    ("/opfoelgning/feb-2026/paamindelser/", {"target": "all", "subject": "a", "body": "b"}),
    ("/opfoelgning/feb-2026/paamindelser/plan/", {"offsets": "-2", "subject": "a", "body": "b"}),
    ("/opfoelgning/feb-2026/gennemse/", {"all_clean": "1"}),
    ("/opfoelgning/feb-2026/727/gennemse/", {"action": "accept"}),
    ("/opfoelgning/feb-2026/727/gennemse/", {"action": "return", "reason": "Ret"}),
    ("/opfoelgning/feb-2026/luk/", {}),
    ("/opfoelgning/feb-2026/genaabn/", {}),
]


@pytest.fixture
def round_(db, lolland, odder):
    round_ = make_round(codes=["360", "727"], slug="feb-2026")
    make_submission(round_, "727", ANSWERS, state="submitted")
    return round_


@pytest.fixture
def people(lolland, odder, analyst, coordinator):
    return {"lolland": lolland, "odder": odder, "analyst": analyst, "coordinator": coordinator}


@pytest.mark.parametrize("url", GET_URLS)
def test_the_coordinator_opens_every_page(round_, as_coordinator, url):
    assert as_coordinator.get(url).status_code == 200


@pytest.mark.parametrize("role", ["lolland", "odder", "analyst"])
@pytest.mark.parametrize("url", GET_URLS)
def test_officers_and_analysts_get_404_on_every_page(round_, people, role, url):
    assert client_for(people[role]).get(url).status_code == 404


@pytest.mark.parametrize("url", GET_URLS + [u for u, _data in POST_URLS])
def test_anonymous_visitors_are_sent_to_the_login_page(round_, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


@pytest.mark.parametrize("role", ["lolland", "odder", "analyst", None])
@pytest.mark.parametrize("url, data", POST_URLS)
def test_nobody_but_the_coordinator_changes_anything(round_, people, role, url, data):
    client = client_for(people[role] if role else None)
    audit_before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == (404 if role else 302)
    round_.refresh_from_db()
    assert round_.state == "open"
    assert round_.submissions.get().state == "submitted"
    assert not ChaseNote.objects.exists()
    assert not Contact.objects.exists()
    assert not Reminder.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(
    "url",
    [
        "/opfoelgning/no-such-round/",
        "/opfoelgning/feb-2026/101/",  # København is not a recipient of the round
        "/opfoelgning/feb-2026/360/gennemse/",  # Lolland has no submission
        "/opfoelgning/feb-2026/ikke-svaret.pdf",
    ],
)
def test_a_missing_object_is_404_for_the_coordinator_too(round_, as_coordinator, url):
    assert as_coordinator.get(url).status_code == 404
