"""The coordinator's flow in the browser: the board shows who is missing, a reminder goes to
them in one action, a phone note is kept, and a submission is returned with a reason that the
officer then sees on their form."""

import re

import pytest
from django.core import mail

from accounts.models import Role
from submissions.models import ChaseNote, Reminder, Submission
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def february():
    round_ = make_round(codes=["360", "727", "706"], title="Februar 2026")
    make_submission(round_, "360", {"pupils_8_9": 900, "enrolled": 60})
    make_user(Role.OFFICER, ["360"], email="officer@lolland.dk")
    make_user(Role.OFFICER, ["727"], email="officer@odder.dk")
    make_user(Role.OFFICER, ["706"], email="officer@syddjurs.dk")
    return round_


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_coordinator_chases_the_missing_and_returns_a_submission(
    page_for, live_server, february, language
):
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto(f"/opfoelgning/{february.slug}/")
    check_page(page, "tracking board", language)
    assert re.search(r"1 (af|of) 3", page.locator("#counters").inner_text())

    # One action reminds everyone who has not submitted.
    page.locator(f"a[href='/opfoelgning/{february.slug}/paamindelser/?target=all']").click()
    check_page(page, "reminder confirmation", language)
    page.locator("form button[type=submit].button-primary").click()
    page.wait_for_load_state()
    assert set(Reminder.objects.values_list("municipality__code", flat=True)) == {"727", "706"}
    assert {m.to[0] for m in mail.outbox} >= {"officer@odder.dk", "officer@syddjurs.dk"}

    # A phone note on Odder.
    page.goto(f"/opfoelgning/{february.slug}/727/")
    check_page(page, "municipality in round", language)
    page.locator("textarea[name=text]").fill("Ringede til skolechefen, lovet fredag")
    page.locator("textarea[name=text]").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    assert ChaseNote.objects.filter(municipality__code="727").exists()

    # Return Lolland's submission with a reason.
    page.goto(f"/opfoelgning/{february.slug}/360/gennemse/")
    check_page(page, "review", language)
    page.locator("form.review-return textarea").fill("Tallet for 9. klasse mangler en skole.")
    page.locator("form.review-return button[type=submit]").click()
    page.wait_for_load_state()
    assert Submission.objects.get(round=february, municipality__code="360").state == "returned"


def test_the_officer_sees_the_reason_for_a_returned_submission(page_for, live_server, february):
    from submissions import services

    coordinator = make_user(Role.COORDINATOR, email="coord@indberet.dk")
    submission = Submission.objects.get(round=february, municipality__code="360")
    services.return_submission(
        submission, actor=coordinator, reason="Tallet for 9. klasse mangler en skole."
    )
    officer = make_user(Role.OFFICER, ["360"], email="second@lolland.dk")
    page = page_for("da")
    log_in(page, live_server, officer)
    page.goto(f"/indberet/{february.slug}/360/")
    check_page(page, "returned form")
    assert "Tallet for 9. klasse mangler en skole." in page.locator("main").inner_text()
