"""The officer's flow in a real browser: login by a code read from the e-mail file, fill in,
meet the error summary, explain a warning, submit, see the receipt — every page axe-clean."""

import re
from pathlib import Path

import pytest

from accounts.models import Role
from submissions.models import Submission
from tests.e2e.conftest import check_page
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


@pytest.fixture
def february():
    september = make_round(codes=["360", "727"], state="closed", title="September 2025")
    make_submission(september, "360", {"pupils_8_9": 1000, "enrolled": 30})
    return make_round(codes=["360", "727"], title="Februar 2026", previous=september)


def read_code(mailbox: Path):
    texts = [p.read_text() for p in sorted(mailbox.glob("*.log"))]
    assert texts, "no e-mail was written"
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", texts[-1], re.MULTILINE)
    assert match, texts[-1]
    return match.group(1)


def tab_until(page, condition, limit=60):
    """Press Tab until the condition (JavaScript) holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"!!document.activeElement && ({condition})"):
            return
    raise AssertionError(f"never reached by keyboard: {condition} on {page.url}")


def log_in_by_code(page, mailbox, email):
    page.goto("/konto/login/code/")
    check_page(page, "request login code")
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name=re.compile("kode", re.I)).click()
    page.wait_for_url(re.compile("/konto/login/code/confirm/"))
    check_page(page, "confirm login code")
    page.get_by_label(re.compile("Kode", re.I)).fill(read_code(mailbox))
    page.get_by_role("button", name=re.compile("Log ind|Bekræft", re.I)).click()
    page.wait_for_url(lambda url: "/konto/" not in url)


def test_an_officer_logs_in_by_code_fills_explains_and_submits(page, mailbox, february):
    make_user(Role.OFFICER, ["360"], email="officer@lolland.dk", name="Lone Lolland")
    log_in_by_code(page, mailbox, "officer@lolland.dk")
    check_page(page, "officer home")

    page.get_by_role("link", name=re.compile("Februar 2026")).first.click()
    check_page(page, "form empty")
    page.get_by_label("Elever i 8. og 9. klasse").fill("900")
    page.get_by_label("Elever tilmeldt juniormesterlære").fill("901")
    page.get_by_role("button", name="Indsend").click()
    summary = page.locator("#error-summary")
    assert "større end antal elever" in summary.inner_text()
    check_page(page, "form with error summary")

    # 200 of 900 is 22 %: a warning that needs an explanation before submitting.
    page.get_by_label("Elever tilmeldt juniormesterlære").fill("200")
    page.get_by_role("button", name="Indsend").click()
    check_page(page, "form with warning")
    page.get_by_label("Forklaring til advarslen").first.fill("Ny ordning på to skoler.")
    page.get_by_role("button", name="Indsend").click()
    page.wait_for_url(re.compile("/kvittering/"))
    check_page(page, "receipt")

    submission = Submission.objects.get(round=february, municipality__code="360")
    assert submission.state == "submitted"
    assert submission.answers["enrolled"] == 200
    assert "Ny ordning på to skoler." in submission.explanations.values()
    receipts = [p.read_text() for p in mailbox.glob("*.log")]
    assert any("kvittering" in t.lower() or "modtaget" in t for t in receipts)


def test_the_officer_flow_can_be_completed_with_the_keyboard_only(page, february):
    officer = make_user(Role.OFFICER, ["360"], email="keys@lolland.dk")
    page.goto("/konto/login/")
    # Log in with the keyboard: focus the e-mail field by tabbing from the top of the page.
    tab_until(page, "document.activeElement.type === 'email'")
    page.keyboard.type(officer.email)
    tab_until(page, "document.activeElement.type === 'password'")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/konto/" not in url)

    page.goto(f"/indberet/{february.slug}/360/")
    tab_until(page, "document.activeElement.id === 'id_pupils_8_9'")
    page.keyboard.type("900")
    page.keyboard.press("Tab")
    page.keyboard.type("27")
    tab_until(page, "document.activeElement.textContent.trim() === 'Indsend'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/kvittering/"))
    assert Submission.objects.get(round=february, municipality__code="360").state == "submitted"


def test_the_officer_pages_pass_axe_in_english(page_for, live_server, february):
    from tests.e2e.conftest import log_in

    officer = make_user(Role.OFFICER, ["360"], email="english@lolland.dk")
    page = page_for("en")
    log_in(page, live_server, officer)
    page.goto("/")
    check_page(page, "officer home", "en")
    page.goto(f"/indberet/{february.slug}/360/")
    check_page(page, "form empty", "en")
    page.get_by_label("Pupils in 8th and 9th grade").fill("900")
    page.get_by_label("Pupils enrolled in junior apprenticeship").fill("901")
    page.get_by_role("button", name="Submit").click()
    assert "cannot exceed" in page.locator("#error-summary").inner_text()
    check_page(page, "form with error summary", "en")
    page.get_by_label("Pupils enrolled in junior apprenticeship").fill("200")
    page.get_by_role("button", name="Submit").click()
    check_page(page, "form with warning", "en")
    page.locator("textarea[name^='explain']").first.fill("A new scheme at two schools.")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile("/kvittering/"))
    check_page(page, "receipt", "en")
    page.goto(f"/indberet/{february.slug}/360/historik/")
    check_page(page, "history", "en")
