"""No /api/ URL ever answers HTML: malformed paths, unknown versions, wrong methods, CSRF
failures, a body too large, throttling and server errors all answer the one JSON error shape,
in the language of Accept-Language."""

import pytest
from django.http import HttpResponse
from django.test import Client

from backend.api_views import NotFoundView
from tests.api.conftest import SLUG, token_client
from tests.api.test_errors_and_tokens import assert_error_shape

MALFORMED_PATHS = [
    "/api/",
    "/api",
    "/api/v2/rounds/",
    "/api/v1/rounds",
    f"/api/v1/rounds/{SLUG}/summary",
    "/api/v1/rounds/a%0Ab/summary/",  # a newline: matches no slug pattern
    "/api/v1/rounds/%E2%80%A6/summary/",
    "/api/v1/rounds/%C3%A6%C3%B8%C3%A5/",
    "/api/v1/rounds/a%20b/status/",
    "/api/v1/rounds/a.b/export/",
    "/api/v1/rounds/%00/",
    "/api/v1/rounds/%FF%FE/summary/",  # not UTF-8
    f"/api/v1/rounds/{SLUG}/submissions/",
    f"/api/v1/rounds/{SLUG}/submissions/36%0A0/",
    f"/api/v1/rounds/{SLUG}/submissions/360/submit/extra/",
    "/api/v1/surveys/%3Cscript%3E/definition/",
    "/api/v1/surveys//definition/",
    "/api/v1/municipalities/360/",
    "/api/v1/" + "x" * 3000 + "/",
    "/api/v1/rounds/..%2F..%2Fadmin/",
    "/api/v1/%2e%2e/%2e%2e/admin/",
]


@pytest.mark.parametrize("path", MALFORMED_PATHS)
@pytest.mark.parametrize("role", ["officer_own", "anonymous"])
def test_a_malformed_path_answers_the_error_shape_never_html(clients, round_, path, role):
    for method in ("get", "post", "put", "delete"):
        response = getattr(clients[role], method)(path)
        assert response.status_code in (401, 404, 405), (method, path, response.status_code)
        error = assert_error_shape(response, response.status_code)
        assert b"<html" not in response.content.lower()
        if response.status_code == 404:
            assert (error["code"], error["message"]) == ("not_found", "Ikke fundet.")


@pytest.mark.parametrize("path", ["/api/v1/rounds/a%0Ab/summary/", "/api/v2/"])
def test_a_malformed_path_answers_in_english_when_asked(lolland, path):
    error = assert_error_shape(token_client(lolland, "en").get(path), 404, "not_found")
    assert error["message"] == "Not found."


def test_a_method_the_endpoint_does_not_have_answers_405_with_allow(clients, round_):
    for language, message in (("da", "ikke tilladt"), ("en", "not allowed")):
        response = clients["coordinator"].patch(
            f"/api/v1/rounds/{SLUG}/open/", HTTP_ACCEPT_LANGUAGE=language
        )
        error = assert_error_shape(response, 405, "method_not_allowed")
        assert message in error["message"]
        assert "POST" in response["Allow"]


def test_a_csrf_failure_answers_the_error_shape_in_the_requests_language(as_lolland, round_):
    as_lolland.handler.enforce_csrf_checks = True
    for language, word in (("da", "CSRF-kontrollen"), ("en", "CSRF check failed")):
        response = as_lolland.post(
            f"/api/v1/rounds/{SLUG}/submissions/360/submit/", HTTP_ACCEPT_LANGUAGE=language
        )
        error = assert_error_shape(response, 403, "csrf_failed")
        assert word in error["message"]


def test_an_html_error_from_the_browsable_api_comes_as_json(as_lolland, round_):
    response = as_lolland.get("/api/v1/rounds/nope/", HTTP_ACCEPT="text/html")
    assert_error_shape(response, 404, "not_found")


STATUSES = {
    400: "bad_request",
    403: "permission_denied",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "throttled",
    431: "request_header_fields_too_large",
    500: "server_error",
    502: "server_error",
    503: "unavailable",
}


@pytest.mark.parametrize(("status", "code"), STATUSES.items())
def test_any_error_status_from_anywhere_comes_out_in_the_shape(status, code, db, monkeypatch):
    """Whatever answers an error under /api/ (a middleware's 413, a proxy-ish 502, Django's own
    pages), with whatever body, the client gets the shape for that status and its headers."""

    def answer(self, request, *args, **kwargs):
        response = HttpResponse("<h1>Nope</h1>", status=status, content_type="text/html")
        response["Retry-After"] = "7"
        return response

    monkeypatch.setattr(NotFoundView, "get", answer)
    messages = []
    for language in ("da", "en"):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/no-such-thing/")
        messages.append(assert_error_shape(response, status, code)["message"])
        assert response["Retry-After"] == "7"
    assert messages[0] != messages[1]


def test_a_server_error_answers_the_shape_not_djangos_page(lolland, round_, monkeypatch):
    from surveys import api

    def crash(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.MunicipalityList, "get", crash)
    client = token_client(lolland, "en")
    client.raise_request_exception = False
    response = client.get("/api/v1/municipalities/")
    error = assert_error_shape(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert error["message"].startswith("Something went wrong")


def test_a_body_too_large_for_django_answers_413_in_the_shape(coordinator, round_, settings):
    """Under API_MAX_BODY_BYTES (the middleware's 413) but over Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE: the same 413, from the exception handler; nothing is sent."""
    from submissions.models import Reminder

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = token_client(coordinator, "en")
    response = client.post(
        f"/api/v1/rounds/{SLUG}/reminders/",
        '{"municipalities": ["360"], "padding": "' + "x" * 500 + '"}',
        content_type="application/json",
    )
    error = assert_error_shape(response, 413, "request_too_large")
    assert error["message"] == "The request is too large."
    assert error["max_bytes"] == 100
    assert not Reminder.objects.exists()


def test_throttling_answers_in_the_requests_language(clients, round_, monkeypatch):
    from accounts.api_auth import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "rate", "1/minute", raising=False)
    client = clients["officer_own"]
    client.get("/api/v1/rounds/")
    da = assert_error_shape(client.get("/api/v1/rounds/"), 429, "throttled")["message"]
    en = client.get("/api/v1/rounds/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert da != en and "throttled" in en


def test_pages_outside_the_api_keep_their_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
