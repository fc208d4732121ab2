"""The survey builder in the browser, in Danish and English, each page checked with axe: the
survey list and page, creating a survey by keyboard alone, the draft overview, every part's
edit page, removing, the preview with "try it", publishing with the diff, discarding."""

import copy
from contextlib import contextmanager

import pytest

from accounts.models import Role
from surveys import builder
from surveys.models import Definition, DraftVersion
from tests.e2e.conftest import check_page, log_in
from tests.factories import make_round, make_user, shipped_definition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAFT = "/undersoegelser/juniormesterlaere/kladde/"
PAGES = [
    ("survey list", "/undersoegelser/"),
    ("survey create", "/undersoegelser/ny/"),
    ("survey page", "/undersoegelser/juniormesterlaere/"),
    ("draft overview", DRAFT),
    ("draft settings", DRAFT + "generelt/"),
    ("add section", DRAFT + "afsnit/ny/"),
    ("edit question", DRAFT + "spoergsmaal/0/"),
    ("add choice question", DRAFT + "spoergsmaal/ny/"),
    ("remove question", DRAFT + "spoergsmaal/2/fjern/"),
    ("edit derived value", DRAFT + "afledte/0/"),
    ("edit rule", DRAFT + "regler/1/"),
    ("edit history check", DRAFT + "historik/0/"),
    ("edit indicator", DRAFT + "indikatorer/0/"),
    ("preview", DRAFT + "forhaandsvisning/"),
    ("preview in English", DRAFT + "forhaandsvisning/?sprog=en"),
    ("publish confirmation", DRAFT + "udgiv/"),
    ("discard confirmation", DRAFT + "kasser/"),
]


@contextmanager
def live_check(page):
    """Wait for the live check that the step inside starts (leaving a changed field) to answer,
    and for any check queued behind it (htmx: hx-sync queue, a request in flight has the class
    htmx-request). Leaving the field checks at once and cancels the check a pause in typing
    would start, so after this no check is running or due: a save that follows cannot overlap
    one. (The test server's in-memory SQLite is shared by its threads; two requests at once
    can meet "database table is locked".)"""
    with page.expect_response(lambda r: r.url.endswith("/kontrol/") and r.status == 200):
        yield
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_builder_page_passes_axe(page_for, live_server, language):
    survey = shipped_definition().survey
    make_round(slug="feb-2026", title="Februar 2026")
    coordinator = make_user(Role.COORDINATOR, email=f"coord-{language}@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    page = page_for(language)
    log_in(page, live_server, coordinator)
    for name, path in PAGES:
        page.goto(path)
        check_page(page, f"builder {name}", language)
    # "Try it": the rule's error and the derived value, nothing stored.
    page.goto(DRAFT + "forhaandsvisning/")
    page.locator("#id_pupils_8_9").fill("100")
    page.locator("#id_enrolled").fill("150")
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    check_page(page, "builder preview tried", language)
    assert page.locator("#error-summary").is_visible()


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_survey_is_built_and_published_by_keyboard_alone(page_for, live_server, language):
    coordinator = make_user(Role.COORDINATOR, email=f"kb-{language}@indberet.dk")
    page = page_for(language)
    log_in(page, live_server, coordinator)
    page.goto("/undersoegelser/ny/")
    page.locator("#id_title_da").focus()
    page.keyboard.type("Erhvervsskoler")
    page.keyboard.press("Tab")
    page.keyboard.type("Vocational schools")
    page.keyboard.press("Tab")
    page.keyboard.type("erhvervsskoler")
    page.keyboard.press("Enter")
    page.wait_for_url("**/undersoegelser/erhvervsskoler/kladde/")
    check_page(page, "builder new draft with a problem", language)

    page.goto("/undersoegelser/erhvervsskoler/kladde/spoergsmaal/ny/")
    page.locator("#id_key").focus()
    page.keyboard.type("pupils")
    with live_check(page):  # leaving a changed field checks it at once
        page.keyboard.press("Tab")
    page.locator("#id_label_da").focus()
    page.keyboard.type("Elever i forløbet")
    with live_check(page):
        page.keyboard.press("Tab")
    # Only now the save: no live check is running or due to start (see live_check).
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url("**/spoergsmaal/0/")

    page.goto("/undersoegelser/erhvervsskoler/kladde/udgiv/")
    check_page(page, "builder publish first version", language)
    page.locator("form button.button-primary").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/undersoegelser/erhvervsskoler/")
    assert Definition.objects.filter(survey__key="erhvervsskoler", version=1).exists()


def test_live_checking_and_moving_without_a_reload(page_for, live_server):
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email="live@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    page = page_for("da")
    log_in(page, live_server, coordinator)
    # Leaving an expression field checks it at once (nothing saved).
    page.goto(DRAFT + "spoergsmaal/0/")
    page.locator("#id_required_when").fill("enroled > 0")
    with live_check(page):
        page.keyboard.press("Tab")
    error = page.locator("#id_required_when-error")
    error.wait_for()
    assert "Ukendt navn »enroled«." in error.inner_text()
    assert page.locator("#id_required_when").get_attribute("aria-invalid") == "true"
    assert "required_when" not in DraftVersion.objects.get().content["questions"][0]
    # Ned moves the question without reloading the page; focus stays on the moved question.
    page.goto(DRAFT)
    page.evaluate("window.notReloaded = true")
    page.locator('tr[data-row="spoergsmaal:pupils_8_9"] button[value="down"]').click()
    page.locator('tr[data-row="spoergsmaal:pupils_8_9"] button[value="up"]').wait_for()
    assert page.evaluate("window.notReloaded") is True
    # builder.js moves focus once htmx has settled the swap, a moment after the new row is in
    # the page: wait for it rather than read it at once (under load the read came first).
    page.wait_for_function(
        "(row) => !!document.activeElement && !!document.activeElement.closest('tr') "
        "&& document.activeElement.closest('tr').getAttribute('data-row') === row",
        arg="spoergsmaal:pupils_8_9",
    )
    keys = [q["key"] for q in DraftVersion.objects.get().content["questions"]]
    assert keys[:2] == ["enrolled", "pupils_8_9"]


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_changed_choice_meaning_is_shown_and_confirmed_by_keyboard(
    page_for, live_server, language
):
    survey = shipped_definition("proevehandlinger").survey
    coordinator = make_user(Role.COORDINATOR, email=f"meaning-{language}@indberet.dk")
    draft = builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    content = copy.deepcopy(draft.content)
    index = next(i for i, q in enumerate(content["questions"]) if q["key"] == "status")
    content["questions"][index]["choices"][0]["label"] = {"da": "Aflyst", "en": "Cancelled"}
    builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=None
    )
    page = page_for(language)
    log_in(page, live_server, coordinator)
    base = "/undersoegelser/proevehandlinger/kladde/"
    # The draft page says it as a change to confirm, not as an error that blocks publishing.
    page.goto(base)
    check_page(page, "builder draft with a changed choice meaning", language)
    assert page.locator("#draft-confirmations").is_visible()
    assert page.locator("#draft-problems").count() == 0
    assert page.locator("#draft-state .alert-success").is_visible()
    page.goto(base + f"spoergsmaal/{index}/")
    check_page(page, "builder question with a changed choice meaning", language)
    # The question page too: a warning to confirm, not an error.
    assert "Aflyst" in page.locator("#choice-changes").inner_text()
    assert page.locator("#valgmuligheder > .form-hint", has_text="Aflyst").count() == 1
    assert page.locator("#valgmuligheder .form-error-message").count() == 0
    page.goto(base + "udgiv/")
    check_page(page, "builder publish with a changed choice meaning", language)
    button = page.locator("form button.button-primary")
    button.focus()
    page.keyboard.press("Enter")  # the box is required: the browser does not send the form
    assert page.url.endswith("/udgiv/") and survey.definitions.count() == 1
    page.locator("#id_confirm_changed_meaning").focus()
    page.keyboard.press("Space")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/undersoegelser/proevehandlinger/")
    assert survey.definitions.count() == 2
