"""The error pages (404, 403, 500, CSRF) in a browser: DKFDS layout, a way back, axe clean in
Danish and English."""

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize("language", ["da", "en"])
def test_the_error_pages_pass_axe_and_lead_back(page_for, live_server, language):
    page = page_for(language)
    for path, status, name in (
        ("/findes-ikke/", 404, "404 anonymous"),
        ("/test-forbidden/", 403, "403"),
        ("/test-boom/", 500, "500"),
    ):
        response = page.goto(path)
        assert response.status == status, path
        check_page(page, f"error {name}", language)
    front = "Go to the front page" if language == "en" else "Gå til forsiden"
    page.get_by_role("link", name=front).click()
    assert "/konto/login/" in page.url  # the front page asks an anonymous visitor to log in

    officer = make_user(Role.OFFICER, codes=["360"], email=f"officer-{language}@indberet.dk")
    log_in(page, live_server, officer)
    assert page.goto("/data/").status == 404
    check_page(page, "error 404 logged in", language)
