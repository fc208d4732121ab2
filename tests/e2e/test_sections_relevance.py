"""Sections and show-when in a real browser: the form groups questions under section
headings, and with JavaScript (static/js/relevance.js) a question shows and hides as the
officer answers, without a save; axe-clean with sections, in Danish and English."""

import pytest

from accounts.models import Role
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_user
from tests.surveys.sectioned import sectioned_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_section_and_a_question_show_and_hide_live(page_for, live_server, language):
    round_ = sectioned_round(codes=["360"])
    page = page_for(language)
    log_in(page, live_server, make_user(Role.OFFICER, ["360"], email=f"s-{language}@lolland.dk"))
    page.goto(f"/indberet/{round_.slug}/360/")
    section = page.locator("#section-agreements_part")
    note = page.locator('[data-question="agreements_note"]')
    assert page.locator("#section-staff-heading").is_visible()
    assert section.is_hidden()
    page.locator("#id_has_agreements").check()  # yes
    section.wait_for(state="visible")
    assert note.is_hidden()
    page.locator("#id_agreements").fill("12")
    note.wait_for(state="visible")
    check_page(page, "form sections show-when", language)
    page.locator("#id_has_agreements_1").check()  # no
    section.wait_for(state="hidden")
