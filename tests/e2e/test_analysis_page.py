"""The data page of a round in the browser, in Danish and English, checked with axe: the
vocational-school study with its ratio bands, split, scatter plots and trend (each chart an
image named by its title and description, followed by its table), as the coordinator sees it
with the key to the anonymised report."""

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.exports.schools import make_study_round
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_analysis_page_of_the_school_study(page_for, live_server, language):
    earlier = make_study_round("skoler-2022", answered=lambda i: i % 2, state="closed")
    round_ = make_study_round(
        previous=earlier, deadline=earlier.deadline.replace(year=earlier.deadline.year + 1)
    )
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)
    page.goto(f"/data/runde/{round_.slug}/")
    check_page(page, "round analysis", language)
    assert page.locator("svg[role=img]").count() == 5  # 3 scatters, 2 trends
    assert page.locator("#noegle").count() == 1
