"""The coordinator's pages from issue 17 in the browser, in Danish and English, each checked
with axe: creating a round (the slug made from the title), the draft's edit, delete and open
pages (who gets no invitation; now or on the opening date), the board's close page, the
officers page with a pending invitation and the audit log in words. The round title has `&`
and quotes, and the invitation e-mail's subject carries them as typed."""

import pytest
from django.core import mail

from accounts.models import Role
from accounts.services import invite_officer
from reference.models import Municipality
from surveys.models import Round
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_submission, make_user, shipped_definition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = 'Forår & "efterår" 2027'


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_coordinator_creates_edits_and_opens_a_round(page_for, live_server, language):
    shipped_definition()
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    make_user(Role.OFFICER, ["360"], email="officer@lolland.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto("/runder/ny/")
    check_page(page, "round create", language)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_deadline-day").fill("31")
    page.locator("#id_deadline-month").fill("3")
    page.locator("#id_deadline-year").fill("2027")
    page.locator("#id_recipients_mode_2").check()  # pasted codes
    page.locator("#id_codes").fill("360, 727")
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    round_ = Round.objects.get()
    assert round_.slug == "juniormesterlaere-foraar-efteraar-2027"
    check_page(page, "round draft detail", language)

    page.goto(f"/runder/{round_.slug}/rediger/")
    check_page(page, "round edit", language)
    page.goto(f"/runder/{round_.slug}/slet/")
    check_page(page, "round delete", language)

    page.goto(f"/runder/{round_.slug}/aabn/")
    check_page(page, "round open confirmation", language)
    assert "Odder (727)" in page.locator("main .alert-warning").inner_text()
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    round_.refresh_from_db()
    assert round_.state == "open"
    [invitation] = mail.outbox
    assert TITLE in invitation.subject and "&amp;" not in invitation.subject


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_close_officers_and_audit_pages(page_for, live_server, language):
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk", name="Karin")
    round_ = make_round(codes=["360", "727", "706"], title="Februar 2026", slug="feb")
    make_submission(round_, "360", {"pupils_8_9": 900, "enrolled": 60})
    invite_officer("ny@odder.dk", Municipality.objects.get(code="727"), invited_by=coordinator)
    page = page_for(language)
    log_in(page, live_server, coordinator)

    page.goto("/opfoelgning/feb/luk/")
    check_page(page, "close round", language)
    page.goto("/konto/sagsbehandlere/")
    check_page(page, "officers with invitations", language)
    page.goto("/konto/revision/")
    check_page(page, "audit log in words", language)
    assert "Karin" in page.locator("table").inner_text()
