"""Every page of every role, in Danish and English, on a desktop and a 375 px phone, through axe
with zero violations (WCAG 2.1 A/AA and axe's best practices), and no Danish left on the
English pages.

The pages are those of tests/e2e/pages.py: derived from the permission matrix, so a new page
is swept as soon as it has a rule there; tests/test_every_page_is_swept.py keeps the list
complete. The error pages come from tests/test_error_pages.py's URL conf (views that fail
with 400, 403, 429 and 500 on purpose)."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Error as PlaywrightError

from accounts.models import Invitation, Role, User
from reference.models import Municipality
from submissions.impact import impact
from submissions.models import ImpactRun
from surveys.builder import open_draft
from surveys.definitions import validate_definition
from surveys.models import Round, Survey
from tests.e2e.conftest import check_page, log_in
from tests.e2e.pages import CLOSED_SLUG, DRAFT_SLUG, IMPACT_RUN, INVITATION_TOKEN, sweep
from tests.factories import make_round, make_submission, make_user
from tests.test_permission_matrix import (
    KWARGS,
    world,  # noqa: F401 (the matrix's world, a fixture)
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = {
    "officer": "Lone Larsen",
    "outsider": "Ole Olsen",
    "analyst": "Anna Andersen",
    "coordinator": "Karin Kristensen",
}

# Texts of ours (not data) on an English page: every text node and the texts a screen reader
# reads from attributes, outside elements marked with another language (the "Dansk" button).
PAGE_TEXTS = """() => {
  const texts = [document.title];
  const own = (el) => (el.closest('[lang]') || document.documentElement).lang === 'en';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    // A form field's value is data (the Danish e-mail a reminder sends, a typed answer).
    if (text && own(el) && !el.closest('script, style, noscript, template, textarea')) {
      texts.push(text);
    }
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (!own(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.getAttribute(a)) texts.push(el.getAttribute(a));
    }
  }
  return texts;
}"""
DANISH = re.compile(r"[æøåÆØÅ]|\b(og|ikke|eller|Mere|Forside|Gem|Luk|Tilbage)\b")
# English texts that rightly show Danish letters.
ALLOWED = ("(æ, ø, å are written ae, oe, aa)",)


@pytest.fixture
def sweep_world(world):  # noqa: F811 (the imported fixture)
    """The permission matrix's world, plus what some pages need to show themselves."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.contrib.auth import get_user_model

    RecoveryCodes.activate(world["coordinator"])
    draft = open_draft(
        survey=Survey.objects.get(key="juniormesterlaere"), actor=world["coordinator"], ip=None
    )
    flat = Round.objects.get(slug=KWARGS["slug"])
    ImpactRun.objects.create(
        pk=IMPACT_RUN,
        round=flat,
        content=draft.content,
        content_hash="sweep",
        state=ImpactRun.State.DONE,
        result=impact(spec=validate_definition(draft.content), round_=flat),
        requested_by=world["coordinator"],
    )
    cache.clear()  # the login rate limits count in the cache, which outlives the test database
    for role, name in NAMES.items():
        get_user_model().objects.filter(pk=world[role].pk).update(name=name)
    september = make_round(codes=["360", "727"], state="closed", slug=CLOSED_SLUG, title="Sep 25")
    make_submission(september, "360", {"pupils_8_9": 1000, "enrolled": 30})
    make_round(codes=["360", "727"], state="draft", slug=DRAFT_SLUG, title="Draft 2027")
    newcomer = make_user(Role.OFFICER, ["360"], email="new@lolland.dk", name="Nina Nielsen")
    Invitation.objects.create(
        email=newcomer.email,
        municipality=Municipality.objects.get(code="360"),
        user=newcomer,
        token=INVITATION_TOKEN,
    )
    return world


def login_code(page, cast):
    page.goto("/konto/login/code/")
    page.locator("main input[type=email]").fill(cast["officer"].email)
    page.locator("main input[type=email]").press("Enter")
    page.wait_for_url("**/konto/login/code/confirm/")


def password_then_two_factor(page, cast):
    page.goto("/konto/login/")
    page.locator("main input[type=email]").fill(cast["coordinator"].email)
    page.locator("main input[type=password]").fill("correct horse battery")
    page.locator("main input[type=password]").press("Enter")
    page.wait_for_url("**/konto/2fa/authenticate/")


def reset_password_key(page, cast):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    officer = cast["officer"]
    key = default_token_generator.make_token(officer)
    page.goto(reverse("account_reset_password_from_key", args=[user_pk_to_url_str(officer), key]))
    page.locator("main input[type=password]").first.wait_for()  # the form for a new password


def csrf_failure(page, cast):
    """A form sent without its CSRF token (an expired or forged page): Django's 403 page."""
    page.goto("/konto/login/")
    tokens = page.locator("main input[name=csrfmiddlewaretoken]")
    tokens.evaluate_all("inputs => inputs.forEach(input => input.remove())")
    page.locator("main input[type=email]").fill(cast["officer"].email)
    page.locator("main input[type=password]").fill("wrong")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("main input[type=password]").press("Enter")
    assert sent.value.status == 403
    page.wait_for_load_state()


FLOWS = {
    f.__name__: f for f in (login_code, password_then_two_factor, reset_password_key, csrf_failure)
}


def data_names():
    """Names that are data, not interface text: the municipalities and regions (proper
    names), the people (the factories give them Danish names, e.g. "Joakim Sørensen"), the
    entry the matrix's world typed."""
    names = {*Municipality.objects.values_list("name", flat=True)}
    names |= {name for name in User.objects.values_list("name", flat=True) if name}
    names |= {*Municipality.objects.values_list("region_name", flat=True)}
    names |= {"Mindre fravær", "Fravær", *ALLOWED}
    return sorted(names, key=len, reverse=True)


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 800}}


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["da", "en"])
def test_every_page_of_every_role_passes_axe(
    page_for, live_server, sweep_world, language, viewport
):
    visits, unswept = sweep()
    assert unswept == []
    pages, failures, untranslated = {}, [], []
    names = data_names()
    for visit in visits:
        if visit.role not in pages:
            pages[visit.role] = page_for(language)
            pages[visit.role].set_viewport_size(VIEWPORTS[viewport])
            if sweep_world[visit.role] is not None:
                log_in(pages[visit.role], live_server, sweep_world[visit.role])
        page = pages[visit.role]
        label = f"{visit.role} {visit.name} {visit.url}"
        if visit.flow:
            page = page_for(language)  # a visitor of its own, in the middle of logging in
            page.set_viewport_size(VIEWPORTS[viewport])
            FLOWS[visit.flow](page, sweep_world)
        else:
            try:
                response = page.goto(visit.url)
            except PlaywrightError as error:  # a file: no page to check
                failures.append(f"{label}: {error.message} (a file? EXCLUDED in pages.py)")
                continue
            if response.status != visit.status or page.url != live_server.url + visit.url:
                failures.append(f"{label}: {response.status} at {page.url}, not {visit.status}")
                continue
        if visit.wait_for:
            page.locator(visit.wait_for).first.wait_for()
        try:
            name = f"sweep {viewport} {visit.role} {visit.name}"
            check_page(page, name, language, best_practice=True)
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
        if language == "en" and viewport == "desktop":  # the same texts at any width
            for text in page.evaluate(PAGE_TEXTS):
                for name in names:
                    text = text.replace(name, "")
                if DANISH.search(text):
                    untranslated.append(f"{label}: {text[:120]!r}")
    untranslated = sorted(set(untranslated))
    assert (failures, untranslated) == ([], []), (
        f"{len(failures)} pages:\n"
        + "\n".join(failures)
        + "\n\nDanish on English pages:\n"
        + "\n".join(untranslated)
    )


@pytest.mark.parametrize(("language", "label"), [("da", "Mere"), ("en", "More")])
def test_the_menu_overflow_button_speaks_the_page_language(page_for, live_server, label, language):
    """DKFDS adds a button of its own, labelled "Mere", that takes the menu items that do not
    fit the window (hidden while they all fit, as the coordinator's do from 992 px up; larger
    text or a longer menu shows it). Its label follows the page's language."""
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    page = page_for(language)
    page.set_viewport_size({"width": 1000, "height": 800})
    log_in(page, live_server, coordinator)
    page.goto("/")
    more = page.locator(".navigation-menu .more-button")
    assert more.count() == 1
    assert more.text_content().strip() == label
