"""The draft page with JavaScript (htmx), by keyboard alone, in Danish and English: adding a
question opens its form under the list and saving it swaps only the list; moving it up and
removing it do the same. The page never reloads (a marker on window survives), focus goes where
the keyboard user continues (the form's heading, the new question's "Ret" link, the moved
question's button, the part's heading), the live region says what happened, and axe passes on
the page in each state."""

import pytest

from accounts.models import Role
from surveys import builder
from surveys.models import DraftVersion
from tests.e2e.conftest import check_page, log_in
from tests.e2e.test_builder_pages import live_check
from tests.factories import make_user, shipped_definition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAFT = "/undersoegelser/juniormesterlaere/kladde/"
QUESTIONS = "#part-spoergsmaal"


def wait_focus(page, script, arg):
    page.wait_for_function(script, arg=arg)


def question_keys():
    return [q["key"] for q in DraftVersion.objects.get().content["questions"]]


@pytest.mark.parametrize("language", ["da", "en"])
def test_add_move_and_remove_a_question_by_keyboard_without_a_reload(
    page_for, live_server, language
):
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email=f"htmx-{language}@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    before = question_keys()
    page = page_for(language)
    log_in(page, live_server, coordinator)
    page.goto(DRAFT)
    page.evaluate("window.notReloaded = true")
    status = page.locator("#builder-status")

    # Add: the form opens under the questions, focus on its heading.
    page.locator('a[data-panel-opener][href$="/spoergsmaal/ny/"]').focus()
    page.keyboard.press("Enter")
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-spoergsmaal-heading")
    check_page(page, "builder htmx add form open", language)

    # Saving without a key: refused in place, focus on the error summary, nothing stored.
    page.locator("#id_label_da").focus()
    page.keyboard.type("Lærere i forløbet")
    with live_check(page):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#panel-spoergsmaal .error-summary").wait_for()
    wait_focus(page, "() => document.activeElement.classList.contains('error-summary')", None)
    assert question_keys() == before
    check_page(page, "builder htmx add refused", language)

    # The key typed: saved; the list has the new row, focus on its "Ret" link.
    page.locator("#id_key").focus()
    page.keyboard.type("teachers")
    with live_check(page):
        page.keyboard.press("Tab")  # to the type (a select: Enter there does not submit)
    page.locator("#id_label_da").focus()
    page.keyboard.press("Enter")
    row = page.locator('tr[data-row="spoergsmaal:teachers"]')
    row.wait_for()
    wait_focus(
        page,
        "(row) => document.activeElement.closest('tr') "
        "&& document.activeElement.closest('tr').getAttribute('data-row') === row",
        "spoergsmaal:teachers",
    )
    assert page.locator("#panel-spoergsmaal").inner_text().strip() == ""
    assert "teachers" in status.inner_text()
    assert question_keys() == [*before, "teachers"]
    check_page(page, "builder htmx question added", language)

    # Move it up by keyboard: focus stays on the moved question's "Op" button.
    row.locator('button[value="up"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(n) => document.querySelector('tr[data-row="spoergsmaal:teachers"] td')
                  .textContent.trim() === String(n)""",
        arg=len(before),
    )
    wait_focus(
        page,
        "() => document.activeElement.getAttribute('value') === 'up' "
        "&& !!document.activeElement.closest('tr') "
        "&& document.activeElement.closest('tr').getAttribute('data-row') "
        "=== 'spoergsmaal:teachers'",
        None,
    )
    assert "teachers" in status.inner_text()
    assert question_keys() == [*before[:-1], "teachers", before[-1]]
    # The other lists' forms took the draft's new revision: moving a rule is not "stale".
    rule_row = page.locator("#part-regler tbody tr").first
    rule_key = rule_row.get_attribute("data-row")
    rule_row.locator('button[value="down"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(row) => document.querySelector(`tr[data-row="${row}"] td`).textContent.trim() === '2'
                    && !!document.activeElement.closest('tr')
                    && document.activeElement.closest('tr').getAttribute('data-row') === row""",
        arg=rule_key,
    )
    assert page.locator(".alert-error[role=alert]").count() == 0

    # Remove: the confirmation opens under the list; confirmed, the row is gone, focus on the
    # heading of the questions.
    page.locator('tr[data-row="spoergsmaal:teachers"] a[href$="/fjern/"]').focus()
    page.keyboard.press("Enter")
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-spoergsmaal-heading")
    check_page(page, "builder htmx remove confirmation", language)
    page.keyboard.press("Tab")  # the confirmation's text is not focusable: "Fjern" is next
    page.keyboard.press("Enter")
    row.wait_for(state="detached")
    wait_focus(page, "(id) => document.activeElement.id === id", "spoergsmaal")
    assert question_keys() == before
    check_page(page, "builder htmx question removed", language)

    assert page.evaluate("window.notReloaded") is True


def test_cancel_closes_the_form_and_gives_focus_back(page_for, live_server):
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email="htmx-cancel@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    page = page_for("da")
    log_in(page, live_server, coordinator)
    page.goto(DRAFT)
    opener = page.locator('a[data-panel-opener][href$="/regler/ny/"]')
    opener.focus()
    page.keyboard.press("Enter")
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-regler-heading")
    # Opening another part's form closes this one: one form (one set of field ids) at a time.
    page.locator('a[data-panel-opener][href$="/afledte/ny/"]').focus()
    page.keyboard.press("Enter")
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-afledte-heading")
    assert page.locator("#panel-regler").inner_text().strip() == ""
    assert page.locator("#id_key").count() == 1
    page.locator("#panel-afledte [data-panel-close]").focus()
    page.keyboard.press("Enter")
    assert page.locator("#panel-afledte").inner_text().strip() == ""
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("/afledte/ny/")


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_choice_moves_by_keyboard_on_the_question_page_without_a_reload(
    page_for, live_server, language
):
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email=f"htmx-choice-{language}@indberet.dk")
    draft = builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    question = {
        "key": "mode",
        "type": "single_choice",
        "label": {"da": "Form", "en": "Mode"},
        "choices": [
            {"value": "online", "label": {"da": "Online", "en": "Online"}},
            {"value": "physical", "label": {"da": "Fysisk", "en": "Physical"}},
        ],
    }
    builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=None,
        item=question,
        actor=coordinator,
        ip="127.0.0.1",
    )
    n = len(question_keys()) - 1
    page = page_for(language)
    log_in(page, live_server, coordinator)
    page.goto(f"{DRAFT}spoergsmaal/{n}/")
    page.evaluate("window.notReloaded = true")
    page.locator('#valgmuligheder button[value="1:up"]').focus()
    page.keyboard.press("Enter")
    # Saved; the choices came back in the new order, focus on the moved choice's button.
    wait_focus(page, "() => document.activeElement.getAttribute('value') === '0:down'", None)
    assert page.locator("#id_choice-0-value").input_value() == "physical"
    assert page.locator("#builder-status").inner_text().strip() != ""
    choices = DraftVersion.objects.get().content["questions"][n]["choices"]
    assert [c["value"] for c in choices] == ["physical", "online"]
    assert page.evaluate("window.notReloaded") is True
    # The page's revision followed the save: saving the whole page is not "stale".
    page.locator("#id_label_da").focus()
    page.keyboard.press("End")
    page.keyboard.type(" (2026)")
    with live_check(page):
        page.keyboard.press("Tab")
    page.locator("#id_label_da").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{DRAFT}spoergsmaal/{n}/")
    page.locator(".alert-success").wait_for()
    assert DraftVersion.objects.get().content["questions"][n]["label"]["da"] == "Form (2026)"
    check_page(page, "builder htmx choice moved", language)


def test_typed_text_in_an_open_form_survives_a_move_another_panel_and_a_failed_save(
    page_for, live_server
):
    """With the add form open and text typed in it: a move on the same list swaps only the list;
    "Fjern" (another panel) does not empty the form but sends focus back to it and says why; a
    save that fails (here a 502, as during a deploy) keeps the page and says "Ikke gemt"."""
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email="htmx-keep@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    before = question_keys()
    page = page_for("da")
    log_in(page, live_server, coordinator)
    page.goto(DRAFT)
    page.evaluate("window.notReloaded = true")
    status = page.locator("#builder-status")
    page.locator('a[data-panel-opener][href$="/spoergsmaal/ny/"]').focus()
    page.keyboard.press("Enter")
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-spoergsmaal-heading")
    typed = "Tekst, der ikke må forsvinde"
    page.locator("#id_label_da").focus()
    page.keyboard.type(typed)

    # A move on the same list: the list changes, the form and its text stay.
    page.locator(f"{QUESTIONS} tbody tr").first.locator('button[value="down"]').click()
    page.wait_for_function(
        "(key) => document.querySelector('#part-spoergsmaal tbody tr')"
        ".getAttribute('data-row') !== key",
        arg=f"spoergsmaal:{before[0]}",
    )
    assert question_keys()[:2] == [before[1], before[0]]
    assert page.locator("#id_label_da").input_value() == typed

    # Another panel ("Fjern"): not opened over the typed text; focus back to the form, said why.
    page.locator(f'{QUESTIONS} tbody tr a[href$="/fjern/"]').first.click()
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-spoergsmaal-heading")
    assert page.locator("#id_label_da").input_value() == typed
    assert "ikke er gemt" in status.inner_text()

    # A save that fails: no reload, the text stays, the alert says it was not saved.
    def bad_gateway(route):
        if route.request.method == "POST":
            route.fulfill(status=502, body="Bad Gateway")
        else:
            route.continue_()

    page.route("**/spoergsmaal/ny/", bad_gateway)
    page.locator("#id_key").fill("kept")
    page.locator("#panel-spoergsmaal button.button-primary").click()
    page.locator("#builder-error .alert-error").wait_for()
    assert "Ikke gemt" in page.locator("#builder-error").inner_text()
    assert page.locator("#id_label_da").input_value() == typed
    assert page.evaluate("window.notReloaded") is True
    check_page(page, "builder htmx not saved", "da")
    # No answer at all (the connection dropped): the same.
    page.unroute("**/spoergsmaal/ny/")
    page.route("**/spoergsmaal/ny/", lambda route: route.abort())
    page.evaluate("document.getElementById('builder-error').innerHTML = ''")
    page.locator("#panel-spoergsmaal button.button-primary").click()
    page.locator("#builder-error .alert-error").wait_for()
    assert page.locator("#id_label_da").input_value() == typed
    assert page.evaluate("window.notReloaded") is True


def test_a_move_closes_an_open_remove_confirmation(page_for, live_server):
    """The confirmation names its item by place; after a move that place holds another item,
    so the move closes it (an add form, which names no place, stays)."""
    survey = shipped_definition().survey
    coordinator = make_user(Role.COORDINATOR, email="htmx-remove-move@indberet.dk")
    builder.open_draft(survey=survey, actor=coordinator, ip="127.0.0.1")
    before = question_keys()
    page = page_for("da")
    log_in(page, live_server, coordinator)
    page.goto(DRAFT)
    page.locator(f'{QUESTIONS} tbody tr a[href$="/fjern/"]').first.click()
    wait_focus(page, "(id) => document.activeElement.id === id", "panel-spoergsmaal-heading")
    page.locator(f"{QUESTIONS} tbody tr").first.locator('button[value="down"]').click()
    page.wait_for_function(
        "() => document.getElementById('panel-spoergsmaal').innerHTML.trim() === ''"
    )
    assert question_keys()[:2] == [before[1], before[0]]
