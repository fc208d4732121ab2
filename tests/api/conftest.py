"""The API's cast: a token per role, and a round that Lolland (360), Odder (727) and
Copenhagen (101) answer. `lolland` is the officer who owns 360; `odder` the outsider."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import create_token
from tests.factories import make_round

ROLES = ["coordinator", "analyst", "officer_own", "officer_other", "anonymous"]
SLUG = "jml-2026-02"


def token_client(user, language="da"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        _token, raw = create_token(user, "test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        client.raw_token = raw
    return client


@pytest.fixture
def clients(lolland, odder, coordinator, analyst):
    return {
        "coordinator": token_client(coordinator),
        "analyst": token_client(analyst),
        "officer_own": token_client(lolland),
        "officer_other": token_client(odder),
        "anonymous": token_client(None),
    }


@pytest.fixture
def round_(db):
    return make_round(codes=["360", "727", "101"], slug=SLUG, title="Februar 2026")


def url(path):
    return f"/api/v1/{path}"


VALID = {"pupils_8_9": 200, "enrolled": 10, "comment": ""}
