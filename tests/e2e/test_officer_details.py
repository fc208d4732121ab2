"""What the officer types is never dropped, in a real browser: an explanation outlives its
warning, Danish thousands are read as such, an entry saved with errors stays open with the
error summary focused; the history and entry pages are axe-clean in Danish and English."""

import re
from datetime import timedelta

import pytest

from accounts.models import Role
from submissions.models import Submission
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def february():
    return make_round(codes=["360"], title="Februar 2026")


def test_an_explanation_typed_for_a_warning_survives_the_warning_going_away(
    page, live_server, february
):
    log_in(page, live_server, make_user(Role.OFFICER, ["360"], email="lone@lolland.dk"))
    page.goto(f"/indberet/{february.slug}/360/")
    page.locator("#id_pupils_8_9").fill("1.000")  # Danish thousands
    page.locator("#id_enrolled").fill("250")
    page.locator("button[value=save]").click()
    warning = page.locator("#id_enrolled-warning")
    assert "25 % af eleverne er tilmeldt" in warning.inner_text()
    page.get_by_label("Forklaring til advarslen").fill("To nye skoler er med i år.")
    page.locator("#id_enrolled").fill("25")  # the figure was wrong: the warning goes away
    page.locator("button[value=save]").click()
    assert not page.locator("#id_enrolled-warning").count()
    page.locator("#id_enrolled").fill("250")  # and back again
    page.locator("button[value=save]").click()
    assert page.get_by_label("Forklaring til advarslen").input_value() == (
        "To nye skoler er med i år."
    )
    sub = Submission.objects.get(round=february)
    assert sub.answers["pupils_8_9"] == 1000
    check_page(page, "form warning restored")


def test_a_failed_submit_moves_focus_to_the_error_summary(page, live_server, february):
    log_in(page, live_server, make_user(Role.OFFICER, ["360"], email="lone2@lolland.dk"))
    page.goto(f"/indberet/{february.slug}/360/")
    page.locator("#id_pupils_8_9").fill("12x")
    page.locator("button[value=submit]").click()
    summary = page.locator("#error-summary")
    assert "Tegnet »x« kan ikke bruges i et tal" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_entry_saved_with_errors_stays_open_and_history_is_readable(
    page_for, live_server, language
):
    trials = make_round("proevehandlinger", codes=["157"], title="Prøvehandlinger 2026")
    officer = make_user(Role.OFFICER, ["157"], email=f"gitte-{language}@gentofte.dk")
    page = page_for(language)
    log_in(page, live_server, officer)
    page.goto(f"/indberet/{trials.slug}/157/poster/ny/")
    check_page(page, "new entry with date fields", language)
    page.locator("#id_title").fill("Opsporing")
    page.locator("#id_start_date-day").fill("1")
    page.locator("#id_start_date-month").fill("3")
    page.locator("#id_start_date-year").fill("2026")
    page.locator("#id_end_date-day").fill("1")
    page.locator("#id_end_date-month").fill("2")
    page.locator("#id_end_date-year").fill("2026")
    page.locator("form button[value=save]").click()
    page.wait_for_url(re.compile("/poster/1/$"))
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#id_title").input_value() == "Opsporing"
    check_page(page, "entry saved with errors", language)

    submission = Submission.objects.get(round=trials)
    for revision in submission.revisions.all():
        revision.created_at -= timedelta(hours=2)
        revision.save()
    page.goto(f"/indberet/{trials.slug}/157/historik/")
    check_page(page, "history", language)
