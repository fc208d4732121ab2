"""One error shape for every 4xx, in the request's language; tokens: hashed, shown once,
revocable at once, carrying the user's role; throttling with Retry-After."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.api_auth import TokenRateThrottle
from accounts.models import ApiToken, AuditEvent
from tests.accounts.test_two_factor import reauthenticate
from tests.api.conftest import SLUG, token_client, url
from tests.factories import make_submission

SUB = url(f"rounds/{SLUG}/submissions/360/")


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], list)
    for f in error["fields"]:
        assert set(f) == {"field", "code", "message"}
    if code:
        assert error["code"] == code
    return error


def test_every_4xx_has_the_one_error_shape(clients, round_, lolland):
    anon, officer, analyst = clients["anonymous"], clients["officer_own"], clients["analyst"]
    # 400 (validation and malformed JSON), 401, 403, 404, 405, 409, 415
    assert_error_shape(officer.put(SUB, {"answers": {}}, format="json"), 400, "invalid")
    assert_error_shape(
        officer.generic("PUT", SUB, "{", content_type="application/json"), 400, "malformed_json"
    )
    unauth = assert_error_shape(anon.get(url("rounds/")), 401, "not_authenticated")
    assert unauth["message"]
    assert anon.get(url("rounds/"))["WWW-Authenticate"] == "Token"
    bad = Client(HTTP_AUTHORIZATION="Token ind_nope")
    assert_error_shape(bad.get(url("rounds/")), 401, "authentication_failed")
    assert_error_shape(Client(HTTP_AUTHORIZATION="Token a b").get(url("rounds/")), 401)
    assert_error_shape(analyst.put(SUB, {"version": 0, "answers": {}}, format="json"), 403)
    assert_error_shape(clients["officer_other"].get(SUB), 404, "not_found")
    assert_error_shape(officer.get(url("no/such/thing/")), 404, "not_found")
    assert_error_shape(anon.get(url("no/such/thing/")), 404, "not_found")
    assert_error_shape(officer.delete(url("rounds/")), 405, "method_not_allowed")
    make_submission(round_, "360", {"pupils_8_9": 1, "enrolled": 1}, state="submitted")
    assert_error_shape(
        officer.put(SUB, {"version": 0, "answers": {}}, format="json"), 409, "stale_version"
    )
    assert_error_shape(
        officer.put(SUB, "version=0", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )


def test_error_messages_follow_accept_language(lolland, odder, round_):
    da = token_client(odder, "da").get(SUB).json()["error"]["message"]
    en = token_client(odder, "en").get(SUB).json()["error"]["message"]
    assert (da, en) == ("Ikke fundet.", "Not found.")
    en_401 = Client(HTTP_ACCEPT_LANGUAGE="en").get(url("rounds/")).json()["error"]["message"]
    da_401 = Client(HTTP_ACCEPT_LANGUAGE="da").get(url("rounds/")).json()["error"]["message"]
    assert en_401 != da_401 and "credentials" in en_401
    en_field = token_client(lolland, "en").put(SUB, {"answers": {}}, format="json").json()
    assert en_field["error"]["fields"][0]["message"] == "This field is required."


def test_rate_limits_answer_429_with_retry_after(clients, round_, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "3/minute", raising=False)
    client = clients["officer_own"]
    statuses = [client.get(url("rounds/")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(url("rounds/"))
    assert_error_shape(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # The budget is per token: a second token of the same person has its own.
    assert clients["analyst"].get(url("rounds/")).status_code == 200


def test_tokens_are_stored_hashed_and_never_in_the_database(lolland):
    client = token_client(lolland)
    raw = client.raw_token
    token = ApiToken.objects.get(user=lolland)
    assert raw not in (token.digest, token.prefix)
    assert raw.startswith(token.prefix) and len(token.digest) == 64
    for event in AuditEvent.objects.all():
        assert raw not in str(event.detail) and raw not in event.object_ref


def test_revoking_a_token_takes_effect_at_once(lolland, round_):
    client = token_client(lolland)
    assert client.get(url("rounds/")).status_code == 200
    token = ApiToken.objects.get(user=lolland)
    assert token.last_used_at is not None
    from accounts.tokens import revoke_token

    revoke_token(token, actor=lolland)
    assert_error_shape(client.get(url("rounds/")), 401, "authentication_failed")


def test_a_token_of_a_deactivated_user_stops_working(lolland, round_):
    client = token_client(lolland)
    lolland.is_active = False
    lolland.save()
    assert client.get(url("rounds/")).status_code == 401


def test_a_token_carries_the_users_role_and_memberships(lolland, round_):
    from accounts.models import Membership

    client = token_client(lolland)
    assert client.get(SUB).status_code == 200
    Membership.objects.filter(user=lolland).delete()
    assert client.get(SUB).status_code == 404


def test_the_command_prints_a_working_token(lolland, round_):
    out = io.StringIO()
    call_command("create_api_token", "OFFICER@lolland.dk", "--name", "ESDH", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(user=lolland).name == "ESDH"
    assert Client(HTTP_AUTHORIZATION=f"Token {raw}").get(SUB).status_code == 200


def test_the_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody@example.dk", stdout=io.StringIO())


def test_the_account_page_creates_shows_once_lists_and_revokes(as_lolland, lolland, round_):
    page = "/konto/api-noegler/"
    assert as_lolland.get(page).status_code == 200
    reauthenticate(as_lolland, page)  # creating a token asks for the password again
    created = as_lolland.post(page, {"action": "create", "name": "R-script"}, follow=True)
    raw = created.context["new_token"]
    assert raw and raw in created.content.decode()
    assert raw not in as_lolland.get(page).content.decode()  # shown once
    token = ApiToken.objects.get(user=lolland)
    assert Client(HTTP_AUTHORIZATION=f"Token {raw}").get(SUB).status_code == 200
    listing = as_lolland.get(page).content.decode()
    assert "R-script" in listing and token.prefix in listing
    as_lolland.post(page, {"action": "revoke", "token": token.pk})
    assert Client(HTTP_AUTHORIZATION=f"Token {raw}").get(SUB).status_code == 401


def test_nobody_revokes_another_persons_token(as_odder, lolland):
    token, _raw = __import__("accounts.tokens").tokens.create_token(lolland, "mine")
    response = as_odder.post("/konto/api-noegler/", {"action": "revoke", "token": token.pk})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("token_id", ["²", "١", "abc", "1" * 18, "\x00"])
def test_revoking_a_garbled_token_id_is_404_not_500(as_lolland, lolland, token_id):
    token, _raw = __import__("accounts.tokens").tokens.create_token(lolland, "mine")
    response = as_lolland.post("/konto/api-noegler/", {"action": "revoke", "token": token_id})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_page_needs_a_login(client, db):
    assert client.get("/konto/api-noegler/").status_code == 302


def test_session_authentication_works_for_the_browsable_api(as_lolland, round_):
    assert as_lolland.get(SUB, HTTP_ACCEPT="application/json").status_code == 200
    html = as_lolland.get(SUB, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and b"<html" in html.content
