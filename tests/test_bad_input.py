"""Bad input on the pages that exist: script tags, SQL fragments, very long strings, NUL bytes and
invalid UTF-8 answer with a page or a validation message, never a 500 and never executed; a
forged CSRF token and a reused login code are refused."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from tests.conftest import client_for

SCRIPT = "<script>alert('xss')</script>"
HOSTILE = {
    "script": SCRIPT,
    "attribute": '"><img src=x onerror=alert(1)>',
    "sql": "' OR 1=1; DROP TABLE accounts_user; --",
    "long": "A" * 20_000,
    "nul": "abc\x00def",
    "unicode": "Ærø \u202e\ufeff 🙂",
}
# Percent-encoded bytes that are not UTF-8, and a raw NUL, straight into the query string.
RAW_QUERIES = ["%ff%fe%fd", "%c3%28", "%00%00", "%e2%82", "a=%ZZ&b=%", "&&==&", "x" * 8000]

AUDIT_PARAMS = ["action", "actor", "object", "date_from", "date_to", "page"]


@pytest.fixture
def page_clients(client, as_coordinator, db):
    """Each page that exists now, with the client that may see it and its query parameters."""
    return [
        (client, "/konto/login/", ["next", "login"]),
        (client, "/konto/login/code/", ["next", "email"]),
        (client, "/tilgaengelighed/", ["q"]),
        (as_coordinator, "/konto/revision/", AUDIT_PARAMS),
        (as_coordinator, "/konto/revision/csv/", AUDIT_PARAMS),
        (as_coordinator, "/", ["q"]),
    ]


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_query_parameters_never_give_a_500_and_are_never_echoed_raw(page_clients, kind):
    value = HOSTILE[kind]
    for client, path, params in page_clients:
        response = client.get(path, {name: value for name in params})
        assert response.status_code < 500, (path, kind)
        body = body_of(response)
        assert SCRIPT not in body, path
        assert "<img src=x" not in body, path


@pytest.mark.parametrize("raw", RAW_QUERIES)
def test_invalid_utf8_and_raw_bytes_in_the_query_string_never_give_a_500(page_clients, raw):
    for client, path, params in page_clients:
        query = "&".join(f"{name}={raw}" for name in params)
        response = client.get(path, QUERY_STRING=query)
        assert response.status_code < 500, (path, raw)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"actor": "abc\x00def"}, "Null-tegn er ikke tilladt"),
        ({"object": "A" * 20_000}, "højst have 200 tegn"),
        ({"actor": "A" * 255}, "højst have 254 tegn"),
        ({"date_from": "2026-02-30"}, "Skriv en gyldig dato med dag, måned og år"),
        (
            {"date_to": "'; DROP TABLE accounts_auditevent; --"},
            "Skriv en gyldig dato med dag, måned og år",
        ),
        ({"action": SCRIPT}, "Marker en gyldig valgmulighed"),
    ],
)
def test_bad_audit_log_filters_answer_with_a_validation_message(as_coordinator, params, message):
    response = as_coordinator.get("/konto/revision/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'class="alert alert-error error-summary"' in body
    assert response.context["page"].paginator.count == 0
    assert SCRIPT not in body


def test_an_sql_fragment_in_a_filter_is_only_text_to_search_for(as_coordinator, coordinator):
    response = as_coordinator.get("/konto/revision/", {"object": "' OR '1'='1"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert AuditEvent.objects.exists()  # the table is still there, and not matched


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_login_values_answer_with_a_validation_message(client, lolland, kind):
    value = HOSTILE[kind]
    response = client.post("/konto/login/", {"login": value, "password": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="alert alert-error' in body or "form-error" in body
    assert SCRIPT not in body
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_values_in_the_login_code_request_never_give_a_500(client, db, kind):
    response = client.post(reverse("account_request_login_code"), {"email": HOSTILE[kind]})
    assert response.status_code < 500
    assert SCRIPT not in response.content.decode()


def test_a_failed_login_with_a_nul_byte_is_audited_without_it(client, db):
    client.post("/konto/login/", {"login": "x\x00@example.dk", "password": "p"})
    # The form refuses the NUL before authentication, or the audit row stores it stripped.
    for event in AuditEvent.objects.filter(action="auth.login_failed"):
        assert "\x00" not in event.object_ref


def csrf_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/konto/login/")  # sets the CSRF cookie
    return client


def test_a_forged_csrf_token_is_refused_at_login(lolland):
    client = csrf_client()
    data = {"login": lolland.email, "password": "correct horse battery"}
    assert client.post("/konto/login/", data).status_code == 403
    forged = {**data, "csrfmiddlewaretoken": "f" * 64}
    assert client.post("/konto/login/", forged).status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_real_csrf_token_is_accepted_at_login(lolland):
    client = csrf_client()
    body = client.get("/konto/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    data = {"login": lolland.email, "password": "correct horse battery"}
    response = client.post("/konto/login/", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_forged_csrf_token_cannot_log_a_person_out_or_change_their_language(lolland):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lolland)
    forged = {"csrfmiddlewaretoken": "f" * 64}
    assert client.post(reverse("account_logout"), forged).status_code == 403
    assert client.post(reverse("set_language"), {**forged, "language": "en"}).status_code == 403
    assert client.get("/").status_code == 200  # still logged in, still Danish
    assert client.session["_auth_user_id"] == str(lolland.pk)


def test_a_csrf_token_from_another_session_is_refused(lolland, odder):
    other = Client(enforce_csrf_checks=True)
    other.force_login(odder)
    body = other.get("/").content.decode()
    stolen = re.search(r'<meta name="csrf-token" content="([^"]+)">', body).group(1)
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(lolland)
    victim.get("/")
    response = victim.post(reverse("session_extend"), HTTP_X_CSRFTOKEN=stolen)
    assert response.status_code == 403


def login_code(mailoutbox):
    codes = re.findall(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mailoutbox[-1].body, re.MULTILINE)
    assert len(codes) == 1, mailoutbox[-1].body
    return codes[0]


def test_a_reused_login_code_is_refused(lolland, mailoutbox):
    client = Client()
    client.post(reverse("account_request_login_code"), {"email": lolland.email})
    first = login_code(mailoutbox)
    response = client.post(reverse("account_confirm_login_code"), {"code": first})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lolland.pk)
    client.post(reverse("account_logout"))

    # Posting the used code again, without asking for a new one: no pending login, no entry.
    response = client.post(reverse("account_confirm_login_code"), {"code": first})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    # Asking for a new code and typing the old one: refused with a message.
    client.post(reverse("account_request_login_code"), {"email": lolland.email})
    second = login_code(mailoutbox)
    assert second != first
    response = client.post(reverse("account_confirm_login_code"), {"code": first})
    assert response.status_code == 200
    assert "form-error" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Someone else replaying the first code from another browser gets nowhere either.
    thief = Client()
    thief.post(reverse("account_confirm_login_code"), {"code": first})
    assert "_auth_user_id" not in thief.session
    assert thief.get("/")["Location"].startswith("/konto/login/")


def test_an_officer_cannot_reach_the_audit_log_by_any_parameter(as_lolland, lolland):
    for query in ["", "?action=auth.login", "?actor=coordinator", "?page=2"]:
        assert as_lolland.get("/konto/revision/" + query).status_code == 404
    assert client_for(None).get("/konto/revision/csv/").status_code == 302
