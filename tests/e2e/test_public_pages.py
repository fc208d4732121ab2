import pytest

from tests.e2e.conftest import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_login_and_accessibility_pages_pass_axe(page_for, language):
    page = page_for(language)
    page.goto("/konto/login/")
    check_page(page, "login", language)
    page.goto("/tilgaengelighed/")
    check_page(page, "accessibility statement", language)


def test_the_language_switch_works_without_javascript(page_for):
    page = page_for("da")
    page.goto("/konto/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
