"""Queries per save (PUT) and submit (POST …/submit/) through the API with a token: the request
path officers' scripts hit hardest (issue 7). The numbers are asserted exactly so that they
cannot creep back up unnoticed; if a change needs another query, change the number here and
say why in the commit.

What one request costs, with a round that compares with a previous one (history checks):

- the token, looked up once per request (RequireTwoFactorMiddleware and DRF share it);
- the round and the municipality, in one scoped query that also says whether the user is a
  member (so `can_edit` and the revision's `on_behalf` need no query of their own) and reads
  the previous round's answers (a subquery: before issue 16 they were a query of their own);
- the submission row, locked (`SELECT … FOR UPDATE`); a first save INSERTs it with its
  answers (since issue 16; it was an empty row and then the UPDATE), a later one UPDATEs it;
- the Revision and the audit row.

Tests run inside a transaction, so each service's `atomic()` shows as SAVEPOINT / RELEASE (in
production it is BEGIN / COMMIT, which Django does not log as queries). The rate-limit counters
live in the cache (Redis in production); the tests use a memory cache so they are not counted.
The receipt e-mail is queued after commit (one INSERT in production), which does not happen
inside a test transaction.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import token_client, url
from tests.factories import make_round, make_submission

ANSWERS = {"pupils_8_9": 200, "enrolled": 10, "comment": ""}


@pytest.fixture(autouse=True)
def _memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def rounds(db):
    before = make_round(codes=["360", "727"], slug="jml-2025-09")
    make_submission(before, "360", {"pupils_8_9": 190, "enrolled": 9})
    return make_round(codes=["360", "727"], slug="jml-2026-02", previous=before)


SUB = url("rounds/jml-2026-02/submissions/360/")


def queries(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content
    return [q["sql"] for q in ctx.captured_queries]


def first_words(sqls):
    """Readable on failure: each statement's verb and main table."""
    out = []
    for sql in sqls:
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
        out.append(f"{sql.split()[0]} {table.group(1) if table else ''}".strip())
    return out


def warm(client):
    """A first request marks the token as used (an UPDATE, at most once a minute)."""
    assert client.get(url("rounds/jml-2026-02/")).status_code == 200


def test_an_officers_save_and_submit_through_the_api(lolland, rounds):
    client = token_client(lolland)
    warm(client)

    first = queries(lambda: client.put(SUB, {"version": 0, "answers": ANSWERS}, format="json"))
    # token, round + municipality + previous answers, SAVEPOINT, lock (none yet), SAVEPOINT,
    # INSERT (with the answers), RELEASE, revision, audit, RELEASE
    assert len(first) == 10, first_words(first)

    again = queries(
        lambda: client.put(
            SUB, {"version": 1, "answers": {**ANSWERS, "enrolled": 11}}, format="json"
        )
    )
    # token, round + municipality + previous answers, SAVEPOINT, lock, UPDATE, revision, audit,
    # RELEASE
    assert len(again) == 8, first_words(again)

    submit = queries(lambda: client.post(SUB + "submit/", {"version": 2}, format="json"))
    # token, round + municipality + previous answers, SAVEPOINT, lock, UPDATE, revision, audit,
    # RELEASE
    assert len(submit) == 8, first_words(submit)

    # Submitting again is a no-op: nothing is written.
    repeat = queries(lambda: client.post(SUB + "submit/", {}, format="json"))
    # token, round + municipality + previous answers, SAVEPOINT, lock, RELEASE
    assert len(repeat) == 5, first_words(repeat)


def test_a_save_that_changes_nothing_writes_nothing(lolland, rounds):
    client = token_client(lolland)
    warm(client)
    client.put(SUB, {"version": 0, "answers": ANSWERS}, format="json")
    same = queries(lambda: client.put(SUB, {"version": 1, "answers": ANSWERS}, format="json"))
    # token, round + municipality + previous answers, SAVEPOINT, lock, RELEASE
    assert len(same) == 5, first_words(same)


def test_a_coordinator_saving_on_behalf_costs_no_more_than_an_officer(coordinator, rounds):
    client = token_client(coordinator)
    warm(client)
    first = queries(lambda: client.put(SUB, {"version": 0, "answers": ANSWERS}, format="json"))
    # The officer's 10 and the check that a coordinator has TOTP set up (middleware); whether
    # the save is on the municipality's behalf comes with the scoped lookup.
    assert len(first) == 11, first_words(first)
