"""The idle-timeout warning in a real browser, under the site's real Content Security Policy:
it appears two minutes before the session would end, takes the keyboard focus, and "Forlæng
sessionen" renews the session and hides it."""

import pytest
from django.contrib.sessions.models import Session

from tests.e2e.conftest import check_page, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE = 124  # the warning shows 120 s before the end: here after 4 s


@pytest.fixture
def short_idle(settings):
    settings.SESSION_COOKIE_AGE = IDLE


def test_the_session_warning_appears_and_extending_renews_the_session(
    browser, live_server, short_idle, lolland
):
    # A context WITHOUT bypass_csp: session.js must work under the page's own policy.
    context = browser.new_context(base_url=live_server.url, locale="da")
    page = context.new_page()
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        log_in(page, live_server, lolland)
        page.goto("/")
        warning = page.locator("#session-warning")
        assert warning.is_hidden()
        warning.wait_for(state="visible", timeout=15_000)
        assert page.evaluate("document.activeElement.id") == "session-extend"

        key = page.context.cookies()[0]["value"]
        before = Session.objects.get(session_key=key).expire_date
        with page.expect_response("**/session/forlaeng/") as response_info:
            page.keyboard.press("Enter")  # the focused button, by keyboard
        response = response_info.value
        assert response.status == 200
        assert response.json() == {"ok": True, "idle_seconds": IDLE}
        warning.wait_for(state="hidden", timeout=5_000)
        assert Session.objects.get(session_key=key).expire_date > before
        # ...and the clock starts again: the warning comes back later.
        warning.wait_for(state="visible", timeout=15_000)
        assert csp_errors == []
    finally:
        context.close()


def test_the_session_warning_passes_axe(page_for, live_server, short_idle, lolland):
    page = page_for("da")
    log_in(page, live_server, lolland)
    page.goto("/")
    page.locator("#session-warning").wait_for(state="visible", timeout=15_000)
    check_page(page, "session warning", "da")
