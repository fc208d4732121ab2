"""The history checks of an API save and submit compare with the right answers: the same
municipality's responded (submitted or accepted) answers in the round's previous round.

Since issue 16 the API reads them in its scoped lookup (a subquery of
`get_round_and_municipality(…, with_previous_answers=True)`) instead of a query of their own;
these tests pin what they are, whoever reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reference.models import Municipality
from submissions.permissions import PREVIOUS_ANSWERS_ATTR
from submissions.services import previous_answers
from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission

SUB = url("rounds/jml-2026-02/submissions/360/")
HISTORY = "pupils_8_9_change"  # warns when pupils_8_9 changes by more than 30 %


def warning_keys(body):
    return {w["key"] for w in body["warnings"]}


@pytest.fixture
def before(db):
    return make_round(codes=["360", "727"], slug="jml-2025-09")


@pytest.fixture
def now_round(before):
    return make_round(codes=["360", "727"], slug="jml-2026-02", previous=before)


def save(client, pupils, version=0):
    response = client.put(
        SUB, {"version": version, "answers": {"pupils_8_9": pupils, "enrolled": 10}}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_save_compares_with_its_own_municipalitys_submitted_answers(lolland, before, now_round):
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9})
    make_submission(before, "727", {"pupils_8_9": 1000, "enrolled": 9})
    client = token_client(lolland)
    assert HISTORY in warning_keys(save(client, 300))  # +58 % on 360's 190
    assert HISTORY not in warning_keys(save(client, 200, version=1))  # +5 %; 727's is 1000


@pytest.mark.parametrize("state", ["accepted", "submitted"])
def test_accepted_and_submitted_answers_both_count(lolland, before, now_round, state):
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9}, state=state)
    assert HISTORY in warning_keys(save(token_client(lolland), 300))


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_answers_not_responded_are_not_compared_with(lolland, before, now_round, state):
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9}, state=state)
    assert HISTORY not in warning_keys(save(token_client(lolland), 300))


def test_a_round_without_a_previous_round_has_no_history_warning(lolland, db):
    make_round(codes=["360"], slug="jml-2026-02")
    assert HISTORY not in warning_keys(save(token_client(lolland), 300))


def test_a_submit_is_blocked_by_the_unexplained_history_warning(lolland, before, now_round):
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9})
    client = token_client(lolland)
    save(client, 300)
    response = client.post(SUB + "submit/", {"version": 1}, format="json")
    assert response.status_code == 400, response.content
    assert [b["key"] for b in response.json()["error"]["blocking"]] == [HISTORY]
    # Explained, it goes through.
    explained = client.put(
        SUB,
        {
            "version": 1,
            "answers": {"pupils_8_9": 300, "enrolled": 10},
            "explanations": {HISTORY: "Ny skole åbnet."},
        },
        format="json",
    )
    assert explained.status_code == 200, explained.content
    response = client.post(SUB + "submit/", {"version": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"


def test_a_coordinator_saving_on_behalf_gets_the_same_comparison(coordinator, before, now_round):
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9})
    make_submission(before, "727", {"pupils_8_9": 1000, "enrolled": 9})
    client = token_client(coordinator)
    assert HISTORY in warning_keys(save(client, 300))
    assert HISTORY not in warning_keys(save(client, 200, version=1))


def test_answers_left_for_another_previous_round_are_not_used(before, now_round):
    """`previous_answers` takes what the scoped lookup left only for this round's previous
    round; anything else is read from the database."""
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9})
    municipality = Municipality.objects.get(code="360", register__key="kommuner")
    setattr(municipality, PREVIOUS_ANSWERS_ATTR, (before.pk + 1000, {"pupils_8_9": 1}))
    assert previous_answers(now_round, municipality)["pupils_8_9"] == 190
    setattr(municipality, PREVIOUS_ANSWERS_ATTR, (before.pk, {"pupils_8_9": 1}))
    with CaptureQueriesContext(connection) as ctx:
        assert previous_answers(now_round, municipality) == {"pupils_8_9": 1}
    assert len(ctx.captured_queries) == 0
