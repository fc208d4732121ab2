"""The two-factor set-up as it reads in a browser: the whole secret on a phone's width, a copy
button that copies it under the real Content Security Policy (and no button without
JavaScript), recovery codes with a way on, and axe with zero violations in Danish and English."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVATE = "/konto/2fa/totp/activate/"
TEXT = {
    "da": {"copy": "Kopiér nøglen", "copied": "Nøglen er kopieret.", "activate": "Aktiver"},
    "en": {"copy": "Copy the key", "copied": "The key has been copied.", "activate": "Activate"},
}
CONTINUE = {"da": "Fortsæt", "en": "Continue"}


def current_code(secret):
    # A code is good for the rest of its 30-second window only (no tolerance): on a busy
    # machine one computed in the last seconds was refused when it arrived. Wait for a new one.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def newcomer(db):
    return make_user(Role.COORDINATOR, email="ny@indberet.dk", mfa=False)


def test_the_whole_secret_fits_a_phone_and_the_button_copies_it(browser, live_server, newcomer):
    # No bypass_csp here: the copy script must run under the site's own policy.
    context = browser.new_context(
        base_url=live_server.url, locale="da", viewport={"width": 375, "height": 812}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    log_in(page, live_server, newcomer)
    page.goto(ACTIVATE)

    key = page.locator("#totp-secret")
    secret = key.inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    box = key.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # One click selects the whole key (for copying by hand).
    key.click()
    assert page.evaluate("window.getSelection().toString().trim()") == secret

    page.get_by_role("button", name=TEXT["da"]["copy"]).click()
    # The clipboard answers asynchronously: wait for the status rather than read it at once.
    expect(page.get_by_role("status").filter(has_text=TEXT["da"]["copied"])).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == secret
    context.close()


def test_without_javascript_there_is_no_copy_button_and_the_key_is_there(
    browser, live_server, newcomer
):
    context = browser.new_context(base_url=live_server.url, locale="da", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, newcomer)
    page.goto(ACTIVATE)

    assert re.fullmatch(r"[A-Z2-7]{32}", page.locator("#totp-secret").inner_text())
    assert page.get_by_role("button", name=TEXT["da"]["copy"]).count() == 0
    context.close()


@pytest.mark.parametrize("language", ["da", "en"])
def test_setup_and_recovery_codes_pass_axe_and_lead_on(page_for, live_server, newcomer, language):
    page = page_for(language)
    log_in(page, live_server, newcomer)
    page.goto(ACTIVATE)
    page.get_by_role("button", name=TEXT[language]["copy"]).wait_for()
    check_page(page, "two-factor setup with key", language)

    secret = page.locator("#totp-secret").inner_text()
    page.fill("input[name=code]", current_code(secret))
    page.get_by_role("button", name=TEXT[language]["activate"], exact=True).click()
    page.wait_for_url("**/konto/2fa/recovery-codes/")
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()
    check_page(page, "recovery codes", language)

    page.get_by_role("link", name=CONTINUE[language]).click()
    page.wait_for_url(re.compile(r"/$"))
    assert "/konto/2fa/" not in page.url
