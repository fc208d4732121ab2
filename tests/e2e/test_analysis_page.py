"""The data page of a round in the browser, in Danish and English, checked with axe: the
vocational-school study with its ratio bands, split, scatter plots and trend (each chart an
image named by its title and description, followed by its table), as the coordinator sees it
with the key to the anonymised report."""

import pytest

from accounts.models import Role
from demo.schools import SURVEY_KEY, school_answers
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_analysis_page_of_the_school_study(page_for, live_server, language):
    schools = school_answers()
    codes = [s["municipality_code"] for s in schools]
    earlier = make_round(SURVEY_KEY, codes=codes, slug="skoler-2022", state="closed")
    round_ = make_round(
        SURVEY_KEY,
        codes=codes,
        slug="skoler-2023",
        previous=earlier,
        deadline=earlier.deadline.replace(year=earlier.deadline.year + 1),
    )
    for i, school in enumerate(schools):
        if school["state"] == "submitted":
            make_submission(round_, school["municipality_code"], school["answers"])
            if i % 2:
                make_submission(earlier, school["municipality_code"], school["answers"])
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)
    page.goto(f"/data/runde/{round_.slug}/")
    check_page(page, "round analysis", language)
    assert page.locator("svg[role=img]").count() == 5  # 3 scatters, 2 trends
    assert page.locator("#noegle").count() == 1
