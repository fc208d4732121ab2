"""Every form URL × every role. A forbidden object answers like a missing one (404); the
analyst reads but never writes; the coordinator may edit on behalf; anonymous → login."""

import pytest

from tests.conftest import client_for
from tests.factories import make_round, make_submission

ENTRY = {
    "title": "Opsporing",
    "theme": "early_action",
    "goal": "Mål",
    "status": "running",
}


@pytest.fixture
def rounds(db):
    jml = make_round(codes=["360", "727"], slug="jml")
    submitted = make_submission(jml, "360", {"pupils_8_9": 400, "enrolled": 20})
    # Returned by the coordinator: it has a receipt and can be edited (so POSTs can succeed).
    submitted.state = "returned"
    submitted.returned_reason = "Tjek tallene"
    submitted.save()
    ph = make_round("proevehandlinger", codes=["360", "727"], slug="ph")
    make_submission(ph, "360", {"entries": [ENTRY], "nothing_to_report": False}, state="draft")
    return {"jml": jml, "ph": ph}


# (round, suffix, method): every URL of submissions/urls.py
URLS = [
    ("jml", "", "get"),
    ("jml", "", "post"),
    ("jml", "kvittering/", "get"),
    ("jml", "kvittering.pdf", "get"),
    ("jml", "historik/", "get"),
    ("jml", "genaabn/", "post"),
    ("ph", "", "get"),
    ("ph", "poster/ny/", "get"),
    ("ph", "poster/1/", "get"),
    ("ph", "poster/1/", "post"),
    ("ph", "poster/1/fjern/", "get"),
]

# who → expected status for (method, is_history)
EXPECTED = {
    "officer": {"get": 200, "post": 302, "history": 200},
    "outsider": {"get": 404, "post": 404, "history": 404},
    "analyst": {"get": 200, "post": 403, "history": 404},
    "coordinator": {"get": 200, "post": 302, "history": 200},
    "anonymous": {"get": 302, "post": 302, "history": 302},
}


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("round_key,suffix,method", URLS)
def test_every_form_url_answers_each_role_as_it_should(
    rounds, who, round_key, suffix, method, request
):
    fixture = {"officer": "lolland", "outsider": "odder"}.get(who, who)
    user = None if who == "anonymous" else request.getfixturevalue(fixture)
    client = client_for(user)
    round_ = rounds[round_key]
    url = f"/indberet/{round_.slug}/360/{suffix}"
    data = {"version": str(round_.submissions.get().version), "q-title": "Ny", "action": "save"}
    response = client.post(url, data) if method == "post" else client.get(url)
    kind = "history" if suffix == "historik/" else method
    if who == "analyst" and suffix in ("poster/ny/", "poster/1/fjern/"):
        kind = "post"  # pages that exist only to change something: refused like a write
    expected = EXPECTED[who][kind]
    if who == "analyst" and suffix.startswith("poster/1/"):
        expected = 404  # the entries submission is a draft: analysts see none of its entries
    assert response.status_code == expected, (who, url, method)
    if who == "anonymous":
        assert "/konto/login/" in response["Location"]


def test_an_officer_cannot_reach_a_round_where_their_municipality_is_not_a_recipient(
    as_lolland, db
):
    round_ = make_round(codes=["727"], slug="only-odder")
    assert as_lolland.get(f"/indberet/{round_.slug}/360/").status_code == 404
    assert as_lolland.get(f"/indberet/{round_.slug}/727/").status_code == 404


def test_a_draft_round_is_invisible_to_officers_and_analysts(as_lolland, as_analyst, db):
    round_ = make_round(codes=["360"], state="draft", slug="draft")
    assert as_lolland.get(f"/indberet/{round_.slug}/360/").status_code == 404
    assert as_analyst.get(f"/indberet/{round_.slug}/360/").status_code == 404


def test_an_unknown_round_or_municipality_is_404(as_coordinator, rounds):
    assert as_coordinator.get("/indberet/nope/360/").status_code == 404
    assert as_coordinator.get("/indberet/jml/999/").status_code == 404


@pytest.mark.parametrize(
    "suffix,method",
    [
        ("", "get"),
        ("ny/", "get"),
        ("ny/", "post"),
        ("jml/", "get"),
        ("jml/aabn/", "post"),
        ("jml/genaabn/", "post"),
    ],
)
def test_round_pages_are_for_coordinators_only(
    rounds, suffix, method, lolland, odder, analyst, coordinator
):
    url = f"/runder/{suffix}"
    for user, expected in [
        (lolland, 404),
        (odder, 404),
        (analyst, 404),
        (coordinator, (200, 302)),
        (None, 302),
    ]:
        client = client_for(user)
        response = client.post(url, {}) if method == "post" else client.get(url)
        assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
