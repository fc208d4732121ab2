"""Logging in as a person does it: the e-mail typed once is enough for a login code (with
JavaScript off too), and a coordinator sent to set up two-factor is not asked for the password
a second time."""

import re

import pytest

from accounts.models import Role
from tests.accounts.conftest import PASSWORD, login_code_in
from tests.e2e.conftest import check_page
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="da", java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_the_code_is_sent_to_the_email_typed_on_the_login_page_without_javascript(
    page_without_javascript, mailoutbox
):
    officer = make_user(Role.OFFICER, ["360"], email="lone@lolland.dk")
    page = page_without_javascript
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(officer.email)
    page.get_by_role("button", name="Send mig en login-kode").click()

    page.wait_for_url(re.compile(r"/konto/login/code/confirm/"))
    assert [m.to for m in mailoutbox] == [[officer.email]]
    page.locator("input[name=code]").fill(login_code_in(mailoutbox[0]))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("button", name="Log ud").count() >= 1


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_code_pages_reached_from_the_login_page_pass_axe(page_for, language, mailoutbox):
    make_user(Role.OFFICER, ["360"], email="lone@lolland.dk")
    page = page_for(language)
    page.goto("/konto/login/")
    send = {"da": "Send mig en login-kode", "en": "Send me a sign-in code"}[language]
    page.get_by_role("button", name=send).click()  # nothing typed: the code request form
    page.wait_for_url(re.compile(r"/konto/login/code/$"))
    check_page(page, "login code request", language)
    page.locator("input[name=email]").fill("lone@lolland.dk")
    request = {"da": "Anmod om kode", "en": "Request Code"}[language]
    page.get_by_role("button", name=request).click()
    page.wait_for_url(re.compile(r"/konto/login/code/confirm/"))
    check_page(page, "login code confirm", language)


def test_a_coordinator_goes_from_the_login_form_straight_to_setting_up_two_factor(page):
    coordinator = make_user(Role.COORDINATOR, email="ny@indberet.dk", mfa=False)
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()

    page.wait_for_url(re.compile(r"/konto/2fa/totp/activate/"))
    assert page.locator("input[type=password]").count() == 0
