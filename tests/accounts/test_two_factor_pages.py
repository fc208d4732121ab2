"""The two-factor set-up pages a person reads: the whole secret as text with a copy button, and
a way on from the recovery codes."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.models import Role
from tests.accounts.test_two_factor import totp_code
from tests.conftest import client_for
from tests.factories import make_user

ACTIVATE = "/konto/2fa/totp/activate/"
NAVIGATION = {"HTTP_ACCEPT": "text/html", "HTTP_SEC_FETCH_MODE": "navigate"}


@pytest.fixture
def newcomer(db):
    return make_user(Role.COORDINATOR, email="ny@indberet.dk", mfa=False)


def test_the_setup_page_shows_the_whole_secret_as_text(newcomer):
    client = client_for(newcomer)
    page = client.get(ACTIVATE, **NAVIGATION).content.decode()
    secret = client.session[SECRET_SESSION_KEY]

    assert f'<code class="totp-secret-value" id="totp-secret">{secret}</code>' in page
    assert f'value="{secret}"' not in page  # not in a (disabled, cut-off) input any more
    assert "Hemmelig nøgle" in page
    assert 'alt="QR-kode til autentificeringsappen"' in page


def test_the_copy_button_is_revealed_by_a_static_script(newcomer):
    page = client_for(newcomer).get(ACTIVATE, **NAVIGATION).content.decode()

    button = re.search(r"<button[^>]*data-copy=\"totp-secret\"[^>]*>([^<]*)</button>", page)
    assert button, page
    assert button.group(1) == "Kopiér nøglen"
    assert 'type="button"' in button.group(0) and " hidden" in button.group(0)
    assert 'data-copy-status="totp-secret-status"' in button.group(0)
    assert 'id="totp-secret-status" role="status"' in page
    assert '<script src="/static/js/copy.js"></script>' in page
    assert finders.find("js/copy.js")
    # Every script is a file (strict CSP): no inline code, no inline JSON data blocks.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


def test_the_setup_page_in_english(newcomer):
    client = client_for(newcomer)
    client.cookies["django_language"] = "en"
    page = client.get(ACTIVATE, **NAVIGATION).content.decode()

    for text in ("Secret key", "Copy the key", "The key has been copied.", "Scan the QR code"):
        assert text in page
    assert "Hemmelig nøgle" not in page


def test_the_recovery_codes_page_leads_on_to_the_front_page(
    newcomer, django_capture_on_commit_callbacks
):
    client = client_for(newcomer)
    client.get(ACTIVATE, **NAVIGATION)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": totp_code(client.session[SECRET_SESSION_KEY])})
    assert response["Location"] == reverse("mfa_view_recovery_codes")

    page = client.get(response["Location"]).content.decode()

    assert re.search(r'<a class="button button-primary" href="/">\s*Fortsæt\s*</a>', page), page
    assert 'id="recovery_codes"' in page and "Hver kode virker én gang" in page
    assert reverse("mfa_download_recovery_codes") in page
    assert client.get("/", **NAVIGATION).status_code == 200


def test_the_recovery_codes_page_in_english_says_continue(coordinator):
    RecoveryCodes.activate(coordinator)
    client = client_for(coordinator)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()

    assert re.search(r'href="/">\s*Continue\s*</a>', page)
    assert "Each code works once" in page
