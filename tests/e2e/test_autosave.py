"""Autosave (static/js/autosave.js) in a real browser: a save refused for what was typed (400
"invalid": an explanation too long) is shown and autosave keeps going — the next change is
saved; only a 409 (someone else saved, the round closed) stops it."""

import re

import pytest

from accounts.models import Role
from submissions.models import Submission
from submissions.validation import MAX_EXPLANATION_LENGTH
from tests.e2e.conftest import log_in
from tests.factories import make_round, make_submission, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVE_WAIT_MS = 15_000  # autosave waits 4 s after the last keystroke


@pytest.fixture
def february():
    september = make_round(codes=["360", "727"], state="closed", title="September 2025")
    make_submission(september, "360", {"pupils_8_9": 1000, "enrolled": 30})
    return make_round(codes=["360", "727"], title="Februar 2026", previous=september)


def test_autosave_resumes_after_a_too_long_explanation_is_refused(page, live_server, february):
    officer = make_user(Role.OFFICER, ["360"], email="autosave@lolland.dk")
    log_in(page, live_server, officer)
    page.goto(f"/indberet/{february.slug}/360/")
    page.get_by_label("Elever i 8. og 9. klasse").fill("900")
    page.get_by_label("Elever tilmeldt juniormesterlære").fill("200")
    page.get_by_role("button", name="Indsend").click()  # blocked: the warning needs explaining
    explanation = page.get_by_label("Forklaring til advarslen").first
    status = page.locator("#autosave-status")

    explanation.fill("x" * (MAX_EXPLANATION_LENGTH + 1))
    status.filter(has_text=re.compile("for lang")).wait_for(timeout=SAVE_WAIT_MS)

    explanation.fill("Ny ordning på to skoler.")
    status.filter(has_text=re.compile("gemt automatisk")).wait_for(timeout=SAVE_WAIT_MS)
    submission = Submission.objects.get(round=february, municipality__code="360")
    assert "Ny ordning på to skoler." in submission.explanations.values()
    assert submission.state == "draft"


def test_autosave_stops_after_a_409_and_keeps_what_was_typed(page, live_server, february):
    officer = make_user(Role.OFFICER, ["360"], email="stale@lolland.dk")
    log_in(page, live_server, officer)
    page.goto(f"/indberet/{february.slug}/360/")
    saves = []
    page.on(
        "request",
        lambda r: saves.append(r) if r.headers.get("x-autosave") == "1" else None,
    )
    # Someone else saves meanwhile: the page's version 0 is stale.
    make_submission(february, "360", {"pupils_8_9": 500, "enrolled": 20}, state="draft")
    status = page.locator("#autosave-status")
    page.get_by_label("Elever i 8. og 9. klasse").fill("900")
    status.filter(has_text=re.compile("ændret af en anden")).wait_for(timeout=SAVE_WAIT_MS)
    assert len(saves) == 1
    page.get_by_label("Elever tilmeldt juniormesterlære").fill("200")
    page.wait_for_timeout(6_000)  # longer than autosave's 4 s
    assert len(saves) == 1  # stopped: the buttons post what was typed
    assert page.get_by_label("Elever i 8. og 9. klasse").input_value() == "900"
    submission = Submission.objects.get(round=february, municipality__code="360")
    assert submission.answers["pupils_8_9"] == 500
