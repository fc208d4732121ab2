"""The API documentation page: inside the app's layout, a quick start, Swagger UI from our own
files, and axe clean (WCAG and best practice) in Danish and English, logged in or not."""

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_docs(page):
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    # Open one operation and one schema so their insides are checked as well.
    page.locator(".opblock-summary-control").first.click()
    page.locator(".opblock-body").first.wait_for()


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_api_docs_pass_axe_and_lead_back(page_for, live_server, language):
    page = page_for(language)
    open_docs(page)
    heading = "API documentation" if language == "en" else "API-dokumentation"
    assert page.get_by_role("heading", level=1).all_inner_texts() == [heading]
    assert page.locator("main pre code").first.inner_text().startswith("curl ")
    check_page(page, "api docs anonymous", language, best_practice=True)

    officer = make_user(Role.OFFICER, codes=["360"], email=f"officer-{language}@indberet.dk")
    log_in(page, live_server, officer)
    open_docs(page)
    check_page(page, "api docs", language, best_practice=True)
    front = "Home" if language == "en" else "Forside"
    page.locator("nav.breadcrumbs").get_by_role("link", name=front).click()
    assert page.url == live_server.url + "/"
