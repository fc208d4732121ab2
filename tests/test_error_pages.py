"""The branded error pages: 403, 404 and 500 (and 400, CSRF) in the DKFDS layout, in Danish
and English, each with a way back. The 500 page renders without the database or a request
context; /api/ keeps its JSON errors."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from django.views import defaults

from backend.urls import urlpatterns as site_urlpatterns


def _boom(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


def _bad_request(request):
    raise SuspiciousOperation("test")


def _throttled(request):
    """The page a throttled person sees (allauth's rate limits and lib.throttle render it)."""
    from django.shortcuts import render

    return render(request, "429.html", status=429)


# The site's URLs plus some that fail on purpose (used by this module and tests/e2e).
urlpatterns = [
    path("test-boom/", _boom),
    path("test-forbidden/", _forbidden),
    path("test-bad-request/", _bad_request),
    path("test-throttled/", _throttled),
    *site_urlpatterns,
]


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_missing_page_is_a_branded_404_with_a_way_back(db, client):
    response = client.get("/findes-ikke/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="da">' in page and "<h1>Siden findes ikke</h1>" in page
    assert '<a href="/">Gå til forsiden</a>' in page
    assert "/konto/login/" in page  # anonymous: a way in as well
    assert "dkfds.min.css" in page


def test_the_404_page_in_english(db):
    page = english(Client()).get("/findes-ikke/").content.decode()
    assert '<html lang="en">' in page and "<h1>Page not found</h1>" in page
    assert '<a href="/">Go to the front page</a>' in page


def test_a_forbidden_page_is_the_same_404_with_the_persons_menu(as_lolland):
    response = as_lolland.get("/data/")
    page = response.content.decode()
    assert response.status_code == 404 and "Siden findes ikke" in page
    assert "Log ud" in page and "/konto/login/" not in page


@pytest.mark.parametrize(
    ("language", "heading"), [("da", "Du har ikke adgang"), ("en", "Access denied")]
)
def test_the_403_page(db, language, heading):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/noget/")
    request.user = AnonymousUser()
    with translation.override(language):
        response = defaults.permission_denied(request, PermissionDenied())
    page = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert '<a href="/">' in page


@pytest.mark.parametrize(
    ("language", "heading"),
    [("da", "Der opstod en fejl hos os"), ("en", "Something went wrong on our side")],
)
def test_the_500_page_renders_without_database_or_context(language, heading):
    """No `db` fixture: any database query here would fail the test."""
    with translation.override(language):
        response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert '<a href="/">' in page and "dkfds.min.css" in page


@pytest.mark.urls(__name__)
def test_an_exception_in_a_view_answers_the_branded_500_and_permission_denied_the_403(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    assert response.status_code == 500
    assert "Der opstod en fejl hos os" in response.content.decode()
    response = client.get("/test-forbidden/")
    assert response.status_code == 403
    assert "<h1>Du har ikke adgang</h1>" in response.content.decode()


def test_a_csrf_failure_is_branded(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/login/", {"login": "x@y.dk", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Formularen er udløbet</h1>" in page and '<a href="/">' in page


def test_api_paths_keep_json_errors(db, client):
    response = client.get("/api/v1/findes-ikke/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
