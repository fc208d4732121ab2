"""The officer on a 375 px phone: DKFDS's mobile header with a menu drawer (account, language,
log out), no page wider than the screen, and the pages still axe-clean."""

import re

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(page_for):
    def make(language="da"):
        page = page_for(language)
        page.set_viewport_size(PHONE)
        return page

    return make


def assert_fits(page, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide on a {PHONE['width']} px phone"


@pytest.fixture
def february():
    round_ = make_round(codes=["360", "727", "706"], title="Februar 2026")
    make_submission(round_, "727", {"pupils_8_9": 1250, "enrolled": 60})
    return round_


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_officer_fills_submits_and_logs_out_on_a_phone(phone, live_server, february, language):
    officer = make_user(Role.OFFICER, ["360"], email=f"lone-{language}@lolland.dk")
    page = phone(language)
    log_in(page, live_server, officer)
    page.goto("/")
    assert_fits(page, "officer home")
    check_page(page, "phone officer home", language)
    # The desktop menu is hidden; the menu button opens DKFDS's drawer.
    assert not page.locator(".navigation-menu").is_visible()
    menu = page.locator(".js-menu-open")
    menu.click()
    drawer = page.locator("#menu")
    assert drawer.is_visible()
    check_page(page, "phone menu open", language)
    assert drawer.get_by_role("link", name=re.compile("Min konto|My account")).is_visible()
    assert drawer.get_by_role("button", name=re.compile("Log ud|Sign out")).is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()

    page.get_by_role("link", name=re.compile("Februar 2026")).first.click()
    assert_fits(page, "form")
    check_page(page, "phone form", language)
    thousands = "1.250" if language == "da" else "1,250"
    page.locator("#id_pupils_8_9").fill(thousands)
    page.locator("#id_enrolled").fill("60")
    page.locator("button[value=submit]").click()
    page.wait_for_url(re.compile("/kvittering/"))
    assert_fits(page, "receipt")
    check_page(page, "phone receipt", language)
    assert thousands in page.locator("main").inner_text()  # 1250 read, shown the reader's way

    page.locator(".js-menu-open").click()
    page.locator("#menu").get_by_role("button", name=re.compile("Log ud|Sign out")).click()
    page.wait_for_url(re.compile("/konto/"))
    assert page.context.cookies() == [] or not any(
        c["name"] == "sessionid" and c["value"] for c in page.context.cookies()
    )


def test_without_javascript_the_menu_is_a_link_to_the_drawer(browser, live_server, february):
    officer = make_user(Role.OFFICER, ["360"], email="nojs@lolland.dk")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE, locale="da"
    )
    try:
        page = context.new_page()
        log_in(page, live_server, officer)
        page.goto("/")
        page.get_by_role("link", name="Menu").click()
        drawer = page.locator("#menu")
        assert drawer.is_visible()
        assert drawer.get_by_role("link", name="Min konto").is_visible()
        assert drawer.get_by_role("button", name="Log ud").is_visible()
        drawer.get_by_role("link", name=re.compile("Luk")).click()
        assert not drawer.is_visible()
    finally:
        context.close()


def test_the_coordinators_board_fits_a_phone(phone, live_server, february):
    coordinator = make_user(Role.COORDINATOR, email="coord@indberet.dk")
    page = phone("da")
    log_in(page, live_server, coordinator)
    page.goto(f"/opfoelgning/{february.slug}/")
    assert_fits(page, "board")
    check_page(page, "phone board")
    page.locator(".js-menu-open").click()
    assert page.locator("#menu").get_by_role("link", name="Opfølgning").is_visible()
