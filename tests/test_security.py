"""Security headers on real pages, and the production values of the cookie and HTTPS settings.

(`manage.py check --deploy` being clean is tested with the deployment checks elsewhere.)
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

BASE_DIR = Path(__file__).resolve().parent.parent


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def pages(client, as_lolland, as_coordinator, db):
    """A page of each kind that exists now: anonymous, officer, coordinator."""
    return {
        "login": client.get("/konto/login/"),
        "accessibility": client.get("/tilgaengelighed/"),
        "officer home": as_lolland.get("/"),
        "audit log": as_coordinator.get("/konto/revision/"),
    }


def test_every_page_sends_a_csp_without_unsafe_inline(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        directives = csp_directives(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["script-src"] == ["'self'"], name
        assert directives["style-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["base-uri"] == ["'self'"], name
        assert directives["form-action"] == ["'self'"], name
        assert "unsafe-inline" not in response["Content-Security-Policy"], name
        assert "unsafe-eval" not in response["Content-Security-Policy"], name


def test_no_page_may_be_framed(pages):
    for name, response in pages.items():
        assert csp_directives(response)["frame-ancestors"] == ["'none'"], name
        assert response["X-Frame-Options"] == "DENY", name


def test_every_page_sends_nosniff_and_a_same_origin_referrer_policy(pages):
    for name, response in pages.items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_pages_carry_no_inline_script_style_or_event_handler(pages):
    """What the CSP would block in the browser must not be in the HTML to begin with."""
    for name, response in pages.items():
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), name
        assert not re.search(r"<style[\s>]", html), name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name
        assert "javascript:" not in html, name


def test_json_answers_also_carry_the_headers(as_lolland):
    response = as_lolland.post("/session/forlaeng/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


PRODUCTION_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory):
    """The settings module as a production process loads it: no DEBUG, not under pytest,
    configured only by the environment a deployment sets (docs/deploy.md)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "SECRET_KEY": "production-test-" + "k" * 50,
            "ALLOWED_HOSTS": "indberet.example.dk",
            "VAR_DIR": str(tmp_path_factory.mktemp("var")),
        }
    )
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_require_https_with_hsts_and_secure_httponly_cookies(
    production_settings,
):
    assert production_settings == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
    }


@pytest.fixture
def production(settings, production_settings):
    """This process with the production values of the HTTPS and cookie settings."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    settings.ALLOWED_HOSTS = ["indberet.example.dk"]
    return settings


def test_in_production_plain_http_is_redirected_to_https(production, db):
    response = Client(HTTP_HOST="indberet.example.dk").get("/konto/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://indberet.example.dk/konto/login/"


def test_in_production_the_proxys_https_header_is_trusted(production, db):
    client = Client(HTTP_HOST="indberet.example.dk", HTTP_X_FORWARDED_PROTO="https")
    response = client.get("/konto/login/")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_in_production_session_and_csrf_cookies_are_secure_and_httponly(production, lolland):
    client = Client(HTTP_HOST="indberet.example.dk")
    page = client.get("/konto/login/", secure=True)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/konto/login/",
        {"login": lolland.email, "password": "correct horse battery"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
