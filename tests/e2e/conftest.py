"""Browser end-to-end tests: Playwright (Python) driving Debian's Chromium, axe-core from npm.

Screenshots of every visited page are saved under var/e2e/. Without /usr/bin/chromium these
tests fail in CI (CI_REQUIRE_E2E=1) and are skipped locally with a visible reason.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

# Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI_REQUIRE_E2E"):
        return  # let them fail loudly in CI
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(language="da"):
        # bypass_csp only so axe-core can be injected; the pages' own CSP is tested elsewhere.
        context = browser.new_context(
            base_url=live_server.url,
            locale=language,
            bypass_csp=True,
            accept_downloads=True,
            extra_http_headers={"Accept-Language": language},
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_for):
    return page_for("da")


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "page"


def check_page(page, name, language="da", best_practice=False):
    """Save a screenshot and assert axe-core finds no WCAG 2.1 A/AA violations (and, with
    `best_practice`, none of axe's best-practice rules either: region, heading-order …)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{_slug(name)}-{language}.png"), full_page=True)
    except PlaywrightError:
        # The picture is for a person looking at the run, not part of the check: on a loaded
        # machine a full-page capture has timed out (30 s) or Chromium answered "Unable to
        # capture screenshot" while the page itself was fine (axe below is the check).
        pass
    assert page.locator("html").get_attribute("lang") == language
    page.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] + (
        ["best-practice"] if best_practice else []
    )
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        tags,
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert violations == [], f"{name} ({language}): " + json.dumps(violations, indent=1)


def log_in(page, live_server, user):
    """Put a logged-in session cookie into the browser (the login pages have their own tests)."""
    from django.test import Client

    from tests.factories import force_login

    client = Client()
    force_login(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
