"""Shared fixtures: the cast of every permission test.

- `lolland` is an officer of Lolland (360), `odder` an officer of Odder (727) — the outsider
  for Lolland's data, `coordinator`, `analyst`, and the anonymous client.
"""

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories import force_login, make_user


@pytest.fixture(autouse=True)
def _municipalities(request):
    """The 98 municipalities are reference data loaded by a migration. A transactional test
    flushes every table afterwards, so tests that use the database reload them when missing."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from reference.models import Municipality
    from reference.municipalities import load_municipalities

    if not Municipality.objects.municipalities().exists():
        load_municipalities(Municipality)


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.LANGUAGE_CODE = "da"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def lolland(db):
    return make_user(Role.OFFICER, ["360"], email="officer@lolland.dk", name="Lone Lolland")


@pytest.fixture
def odder(db):
    return make_user(Role.OFFICER, ["727"], email="officer@odder.dk", name="Ole Odder")


@pytest.fixture
def coordinator(db):
    return make_user(Role.COORDINATOR, email="coordinator@indberet.dk", name="Karin Koordinator")


@pytest.fixture
def analyst(db):
    return make_user(Role.ANALYST, email="analyst@indberet.dk", name="Anders Analytiker")


def client_for(user):
    client = Client()
    if user is not None:
        force_login(client, user)
    return client


@pytest.fixture
def as_lolland(lolland):
    return client_for(lolland)


@pytest.fixture
def as_odder(odder):
    return client_for(odder)


@pytest.fixture
def as_coordinator(coordinator):
    return client_for(coordinator)


@pytest.fixture
def as_analyst(analyst):
    return client_for(analyst)
