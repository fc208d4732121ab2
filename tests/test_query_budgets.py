"""Query budgets (DESIGN §8): every list page and API list endpoint makes the same number of
queries whatever the number of rows. Each page's queries are counted with a small dataset
(5 recipient municipalities) and again with a larger one (40), built by the benchmark
generator (demo/scale.py: every state, warnings, revisions, reminders, notes).

Per-round pages compare a 5-municipality round with a 40-municipality round; the other lists
are counted before and after the larger dataset is added. The first request of each count
warms the session and caches, so only the page's own work is counted. One dataset build per
test (it is the slow part); every page is checked and all that grew are reported together.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from demo.scale import EMAIL_DOMAIN, round_slug
from tests.factories import force_login

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 40


def generate(n, rounds=2):
    call_command("generate_scale_data", municipalities=n, rounds=rounds, stdout=StringIO())


def client_for(email):
    client = Client()
    force_login(client, User.objects.get(email=email))
    return client


def coordinator():
    return client_for(f"koordinator@{EMAIL_DOMAIN}")


def analyst():
    return client_for(f"analytiker@{EMAIL_DOMAIN}")


def officer():
    # The officer of 101 also serves 147 (a shared service centre): two municipalities.
    return client_for(f"officer-101@{EMAIL_DOMAIN}")


def count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


# --- Pages of one round: a 5-municipality round against a 40-municipality round

ROUND_PAGES = [
    ("tracking board", "/opfoelgning/{slug}/", coordinator),
    ("tracking board, sorted by state", "/opfoelgning/{slug}/?sort=state", coordinator),
    ("review queue", "/opfoelgning/{slug}/gennemse/", coordinator),
    ("non-responders CSV", "/opfoelgning/{slug}/ikke-svaret.csv", coordinator),
    ("round detail", "/runder/{slug}/", coordinator),
    ("import page", "/opfoelgning/{slug}/import/", coordinator),
    ("import template CSV", "/opfoelgning/{slug}/import/skabelon/csv-da/", coordinator),
    (
        "import template, pre-filled",
        "/opfoelgning/{slug}/import/skabelon/xlsx/?udfyldt=1",
        coordinator,
    ),
    ("API round status", "/api/v1/rounds/{slug}/status/", coordinator),
    ("API round", "/api/v1/rounds/{slug}/", coordinator),
]


def test_round_pages_do_not_grow_with_the_number_of_municipalities():
    generate(SMALL)
    generate(LARGE)
    grew = []
    for name, path, who in ROUND_PAGES:
        client = who()
        small = count(client, path.format(slug=round_slug(SMALL, 2)))
        large = count(client, path.format(slug=round_slug(LARGE, 2)))
        if small != large:
            grew.append(f"{name}: {small} queries for {SMALL} municipalities, {large} for {LARGE}")
    assert not grew, grew


# --- Lists across rounds: counted before and after more rounds and municipalities

LIST_PAGES = [
    ("officer home", "/", officer),
    ("coordinator home", "/", coordinator),
    ("analyst home", "/", analyst),
    ("round list", "/runder/", coordinator),
    ("tracking index", "/opfoelgning/", coordinator),
    ("exports page", "/data/", analyst),
    ("officer's municipalities", "/konto/kommuner/", officer),
    ("audit log", "/konto/revision/", coordinator),
    ("API municipalities", "/api/v1/municipalities/", coordinator),
    ("API surveys", "/api/v1/surveys/", coordinator),
    ("API rounds", "/api/v1/rounds/", coordinator),
    ("API rounds, as an officer", "/api/v1/rounds/", officer),
]


def test_list_pages_do_not_grow_with_the_number_of_rows():
    generate(SMALL)
    before = {name: count(who(), path) for name, path, who in LIST_PAGES}
    generate(LARGE, rounds=4)
    grew = []
    for name, path, who in LIST_PAGES:
        after = count(who(), path)
        if after != before[name]:
            grew.append(f"{name}: {before[name]} queries before, {after} after more rows")
    assert not grew, grew
