"""The account pages look and read like a Danish public self-service site (DKFDS), and carry
nothing the Content Security Policy would block (no inline script, no style attributes)."""

import re

import pytest
from django.urls import reverse

from accounts.models import User

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle=", re.IGNORECASE)

ANONYMOUS_PAGES = [
    ("account_login", "Log ind på Indberet"),
    ("account_request_login_code", "Send mig en login-kode"),
    ("account_reset_password", "Nulstil adgangskode"),
]
OFFICER_PAGES = [
    ("account_email", "E-mailadresser"),
    ("account_change_password", "Skift adgangskode"),
    ("mfa_index", "To-faktor-autentificering"),
    ("accounts:my_municipalities", "Mine kommuner"),
]


def assert_dkfds_page(response, heading):
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="da">' in page
    assert "dkfds/css/dkfds.min.css" in page
    assert 'class="skipnav"' in page
    assert re.search(rf"<h1[^>]*>\s*{re.escape(heading)}\s*</h1>", page), heading
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page).group(0)
    assert not STYLE_ATTRIBUTE.search(page)
    return page


@pytest.mark.parametrize(("url_name", "heading"), ANONYMOUS_PAGES)
def test_the_pages_before_login_are_danish_and_in_dkfds_style(client, db, url_name, heading):
    page = assert_dkfds_page(client.get(reverse(url_name)), heading)

    assert 'class="form-label"' in page
    assert 'class="form-input"' in page
    assert 'class="button button-primary"' in page


@pytest.mark.parametrize(("url_name", "heading"), OFFICER_PAGES)
def test_the_account_pages_are_danish_and_in_dkfds_style(as_lolland, url_name, heading):
    assert_dkfds_page(as_lolland.get(reverse(url_name)), heading)


def test_the_login_page_offers_code_login_and_no_sign_up(client, db):
    page = client.get(reverse("account_login")).content.decode()

    assert reverse("account_request_login_code") in page
    assert reverse("account_reset_password") in page
    assert reverse("account_signup") not in page
    assert "Har du ikke en konto?" in page


def test_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "ny@example.dk", "password1": "et langt kodeord 42", "password2": "x"},
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="ny@example.dk").exists()


def test_the_page_title_names_the_page_and_the_site(client, db):
    page = client.get(reverse("account_login")).content.decode()

    assert "<title>Log ind · Indberet</title>" in page


def test_the_confirm_code_page_has_a_heading_and_its_own_title(client, lolland):
    client.post(reverse("account_request_login_code"), {"email": lolland.email})

    page = assert_dkfds_page(
        client.get(reverse("account_confirm_login_code")), "Indtast login-kode"
    )

    assert "<title>Indtast login-kode · Indberet</title>" in page
    assert 'autocomplete="one-time-code"' in page


def test_the_two_factor_setup_page_shows_a_qr_code_and_a_code_field(as_lolland, password):
    as_lolland.post(reverse("account_reauthenticate"), {"password": password})

    page = assert_dkfds_page(
        as_lolland.get(reverse("mfa_activate_totp")), "Aktiver autentificeringsapp"
    )

    assert 'class="totp-qr" src="data:image/svg+xml;base64,' in page
    assert 'for="id_code"' in page


def test_english_is_available_through_the_language_switch(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})

    page = client.get(reverse("account_login")).content.decode()

    assert '<html lang="en">' in page
