"""The builder's views answer both kinds of request: a plain form post gets a redirect or a full
page (the builder works without JavaScript), an htmx request (HX-Request) the fragment it
swaps: the part's list after an add, move or remove, the add form or the remove confirmation
under the list, the message slots of the live check."""

import json
import re
from urllib.parse import urlencode

import pytest

from surveys import builder
from surveys.definitions import MAX_CHOICES
from surveys.models import DraftVersion
from tests.conftest import client_for
from tests.factories import shipped_definition

IP = "127.0.0.1"
KEY = "juniormesterlaere"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def survey(db):
    return shipped_definition().survey


@pytest.fixture
def draft(survey, coordinator):
    return builder.open_draft(survey=survey, actor=coordinator, ip=IP)


def url(*parts):
    return f"/undersoegelser/{KEY}/kladde/" + "".join(f"{p}/" for p in parts)


def fresh():
    return DraftVersion.objects.get(survey__key=KEY)


def keys(part="questions"):
    return [item["key"] for item in fresh().content[part]]


def new_question(draft, **changes):
    data = {"revision": draft.revision, "key": "teachers", "type": "integer"}
    data["label_da"] = "Lærere"
    data.update(changes)
    return data


def is_fragment(response):
    html = response.content.decode()
    return "<html" not in html and "<body" not in html


# --- Moving ----------------------------------------------------------------------------------


def test_a_plain_move_redirects_to_the_draft_page(draft, as_coordinator):
    before = keys()
    response = as_coordinator.post(
        url("spoergsmaal", 0, "flyt"), {"revision": draft.revision, "direction": "down"}
    )
    assert response.status_code == 302
    assert response["Location"] == url() + "#spoergsmaal"
    assert keys() == [before[1], before[0], *before[2:]]


def test_an_htmx_move_answers_the_part_list_the_state_and_what_moved(draft, as_coordinator):
    before = keys()
    response = as_coordinator.post(
        url("spoergsmaal", 0, "flyt"), {"revision": draft.revision, "direction": "down"}, **HTMX
    )
    assert response.status_code == 200 and is_fragment(response)
    assert response["HX-Retarget"] == "#part-spoergsmaal"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert 'id="part-spoergsmaal"' in html and 'id="part-regler"' not in html
    # The draft's state out of band, with the revision the page's forms post next.
    assert f'id="draft-state" data-revision="{fresh().revision}" hx-swap-oob="true"' in html
    assert 'id="builder-status" hx-swap-oob="innerHTML">Spørgsmål pupils_8_9 er flyttet ned.' in (
        html
    )
    # Focus goes to the moved question's "Ned" button, now in the second row.
    row = html.split('data-row="spoergsmaal:pupils_8_9"')[1].split("</tr>")[0]
    assert 'value="down" data-focus' in row
    assert keys() == [before[1], before[0], *before[2:]]


def test_an_htmx_move_on_a_stale_page_reloads_it_and_moves_nothing(draft, as_coordinator):
    before = keys()
    response = as_coordinator.post(
        url("spoergsmaal", 0, "flyt"), {"revision": draft.revision - 1, "direction": "down"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert keys() == before


# --- Adding ----------------------------------------------------------------------------------


def test_the_add_form_is_a_page_or_a_fragment(draft, as_coordinator):
    page = as_coordinator.get(url("spoergsmaal", "ny"))
    assert "<html" in page.content.decode()
    fragment = as_coordinator.get(url("spoergsmaal", "ny"), **HTMX)
    assert fragment.status_code == 200 and is_fragment(fragment)
    html = fragment.content.decode()
    assert f'hx-post="{url("spoergsmaal", "ny")}" hx-target="#part-spoergsmaal"' in html
    assert 'id="panel-spoergsmaal-heading" tabindex="-1" data-focus' in html
    assert 'id="id_key-live"' in html  # the live check's message slots


def test_a_plain_add_redirects_to_the_new_item(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", "ny"), new_question(draft))
    n = len(keys()) - 1
    assert response.status_code == 302 and response["Location"] == url("spoergsmaal", n)
    assert keys()[-1] == "teachers"


def test_an_htmx_add_answers_the_list_with_the_new_row_focused(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", "ny"), new_question(draft), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert response["HX-Retarget"] == "#part-spoergsmaal"
    html = response.content.decode()
    row = html.split('data-row="spoergsmaal:teachers"')[1].split("</tr>")[0]
    assert "data-focus" in row.split("Ret")[0]  # the "Ret" link of the new row
    assert "Spørgsmål teachers er tilføjet." in html
    assert keys()[-1] == "teachers"
    assert not any(m for m in as_coordinator.get(url()).context["messages"])


def test_a_refused_htmx_add_answers_the_form_in_its_place_and_stores_nothing(draft, as_coordinator):
    before = fresh().content
    response = as_coordinator.post(url("spoergsmaal", "ny"), new_question(draft, key=""), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert response["HX-Retarget"] == "#panel-spoergsmaal"
    assert response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert 'class="alert alert-error error-summary"' in html
    assert 'value="Lærere"' in html  # what was typed stays
    assert fresh().content == before


def test_an_htmx_add_that_edits_choices_goes_to_the_question_page(draft, as_coordinator):
    data = new_question(draft, type="single_choice", action="stay")
    data.update({"choice-0-value": "a", "choice-0-label_da": "A"})
    response = as_coordinator.post(url("spoergsmaal", "ny"), data, **HTMX)
    n = len(keys()) - 1
    assert response["HX-Redirect"] == url("spoergsmaal", n) + "#valgmuligheder"


# --- Removing --------------------------------------------------------------------------------


def test_the_remove_confirmation_is_a_page_or_a_fragment(draft, as_coordinator):
    n = len(keys()) - 1
    assert "<html" in as_coordinator.get(url("spoergsmaal", n, "fjern")).content.decode()
    fragment = as_coordinator.get(url("spoergsmaal", n, "fjern"), **HTMX)
    assert fragment.status_code == 200 and is_fragment(fragment)
    assert 'hx-post="' + url("spoergsmaal", n, "fjern") in fragment.content.decode()


def test_an_htmx_remove_answers_the_list_without_the_row(draft, as_coordinator):
    as_coordinator.post(url("spoergsmaal", "ny"), new_question(draft))
    n = len(keys()) - 1
    response = as_coordinator.post(
        url("spoergsmaal", n, "fjern"), {"revision": fresh().revision}, **HTMX
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#part-spoergsmaal"
    html = response.content.decode()
    assert 'data-row="spoergsmaal:teachers"' not in html
    assert 'id="spoergsmaal" tabindex="-1" data-focus' in html  # the part's heading
    assert "teachers er fjernet." in html
    assert "teachers" not in keys()


def test_a_refused_htmx_remove_says_why_in_the_confirmations_place(draft, as_coordinator):
    before = keys()
    response = as_coordinator.post(
        url("spoergsmaal", 0, "fjern"), {"revision": draft.revision}, **HTMX
    )
    # htmx swaps only a 2xx answer; a plain post gets 409 (test_builder_pages).
    assert response.status_code == 200 and is_fragment(response)
    assert 'id="refusal"' in response.content.decode()
    assert keys() == before


# --- The live check --------------------------------------------------------------------------


def test_the_live_check_answers_htmx_with_message_slots_and_stores_nothing(draft, as_coordinator):
    before = fresh().content
    data = new_question(draft, key="pupils_8_9", required_when="enroled > 0")
    data.update({"label_da": "Elever i 8. og 9. klasse"})
    response = as_coordinator.post(url("spoergsmaal", 0, "kontrol"), data, **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    html = response.content.decode()
    slot = html.split('id="id_required_when-live" hx-swap-oob="innerHTML">')[1].split("\n")[0]
    assert 'id="id_required_when-error"' in slot and "Ukendt navn »enroled«." in slot
    assert '<span id="id_key-live" hx-swap-oob="innerHTML"></span>' in html  # fine: cleared
    assert fresh().content == before
    # Without htmx: the messages per field as JSON (as before).
    plain = as_coordinator.post(url("spoergsmaal", 0, "kontrol"), data).json()
    assert "Ukendt navn »enroled«." in " ".join(plain["errors"]["required_when"])


# --- Boundaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "coordinators_get"),
    [
        (url("spoergsmaal", "ny"), 200),
        (url("spoergsmaal", 0, "fjern"), 200),
        (url("spoergsmaal", 0, "flyt"), 405),  # POST only: but the outsider is checked first
    ],
)
def test_outsiders_get_404_from_htmx_too(draft, analyst, as_coordinator, path, coordinators_get):
    before = fresh().content
    client = client_for(analyst)
    assert as_coordinator.get(path, **HTMX).status_code == coordinators_get
    assert client.get(path, **HTMX).status_code == 404
    response = client.post(path, {"revision": draft.revision, "direction": "down"}, **HTMX)
    assert response.status_code == 404
    assert fresh().content == before


def test_a_missing_survey_and_a_forbidden_one_answer_alike(draft, analyst, as_coordinator):
    missing = as_coordinator.get("/undersoegelser/findes_ikke/kladde/")
    forbidden = client_for(analyst).get(url())
    assert missing.status_code == forbidden.status_code == 404


def test_without_a_draft_htmx_is_sent_to_the_survey_page(survey, as_coordinator):
    response = as_coordinator.get(url("spoergsmaal", "ny"), **HTMX)
    assert response["HX-Redirect"] == f"/undersoegelser/{KEY}/"
    plain = as_coordinator.get(url("spoergsmaal", "ny"))
    assert plain.status_code == 302 and plain["Location"] == f"/undersoegelser/{KEY}/"
    check = as_coordinator.post(url("spoergsmaal", "ny", "kontrol"), {}, **HTMX)
    assert check.status_code == 404  # the live check never takes the page away


# --- A long choice list ----------------------------------------------------------------------


FORM = "application/x-www-form-urlencoded"  # as the browser posts the page's form


def choice_rows(draft, n):
    data = new_question(draft, type="single_choice")
    for i in range(n):
        data[f"choice-{i}-value"] = f"v{i}"
        data[f"choice-{i}-label_da"] = f"Valgmulighed {i}"
        data[f"choice-{i}-label_en"] = f"Choice {i}"
    return data


def test_a_question_with_as_many_choices_as_allowed_saves(draft, as_coordinator):
    data = urlencode(choice_rows(draft, MAX_CHOICES))
    response = as_coordinator.post(url("spoergsmaal", "ny"), data, content_type=FORM)
    assert response.status_code == 302
    saved = fresh().content["questions"][-1]
    assert saved["key"] == "teachers" and len(saved["choices"]) == MAX_CHOICES
    problems = builder.draft_problems(fresh().content, survey=draft.survey)
    assert not [p for p in problems if "choices" in p.path]


def test_the_page_of_a_question_with_as_many_choices_as_allowed_posts_about_330_fields(
    draft, as_coordinator
):
    """The figures docs/coordinators.md and `tolerate_too_many_fields` give: 3 fields a choice
    row, about 18 for the rest of the form; so 100 choices take about 330 fields and the
    1,000-field cap is at about 330 rows."""
    data = urlencode(choice_rows(draft, MAX_CHOICES))
    response = as_coordinator.post(url("spoergsmaal", "ny"), data, content_type=FORM)
    html = as_coordinator.get(response["Location"]).content.decode()
    form = (
        html.split('id="valgmuligheder"')[0].rsplit("<form", 1)[1]
        + html.split('id="valgmuligheder"')[1].split("</form>")[0]
    )
    # What a browser posts: every named field but the unticked boxes and the buttons.
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    posted = [
        t
        for t in tags
        if ' name="' in t and 'type="checkbox"' not in t and 'type="submit"' not in t
    ]
    rows = len([t for t in posted if re.search(r'name="choice-\d+-label_da"', t)])
    assert rows == MAX_CHOICES + 3  # the empty rows for new ones
    rest = len(posted) - 3 * rows
    assert 12 <= rest <= 24
    assert 320 <= len(posted) <= 340
    assert 320 <= (1000 - rest) // 3 <= 340


def test_a_list_just_under_the_field_cap_is_saved_with_its_problem_at_the_choices(
    draft, as_coordinator
):
    # 300 rows × 3 fields + 4 = 904 fields: Django reads it (under 1,000); the draft is saved
    # (a draft may be invalid) and the page says at the choice list that 100 is the most.
    data = urlencode(choice_rows(draft, 300))
    response = as_coordinator.post(url("spoergsmaal", "ny"), data, content_type=FORM)
    assert response.status_code == 302
    assert len(fresh().content["questions"][-1]["choices"]) == 300
    page = as_coordinator.get(response["Location"]).content.decode()
    fieldset = page.split('id="valgmuligheder"')[1].split("</fieldset>")[0]
    assert "form-error-message" in fieldset


def test_a_list_just_over_the_field_cap_gets_the_message(draft, as_coordinator):
    before = fresh().content
    data = urlencode(choice_rows(draft, 340))  # 1,024 fields
    response = as_coordinator.post(url("spoergsmaal", "ny"), data, content_type=FORM)
    assert response.status_code == 400
    assert "Der blev sendt 340 rækker med valgmuligheder" in response.content.decode()
    assert fresh().content == before


def test_ten_thousand_choices_answer_the_page_with_a_message_and_change_nothing(
    draft, as_coordinator
):
    before = fresh()
    response = as_coordinator.post(
        url("spoergsmaal", 0), urlencode(choice_rows(draft, 10_000)), content_type=FORM
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Der blev sendt 10000 rækker med valgmuligheder" in html
    assert "højst 100" in html
    # The page shows the question as saved: nothing typed was stored, nothing saved was lost.
    assert 'value="pupils_8_9"' in html
    after = fresh()
    assert after.revision == before.revision and after.content == before.content
    # A new question the same: the empty add page with the message.
    response = as_coordinator.post(
        url("spoergsmaal", "ny"), urlencode(choice_rows(draft, 10_000)), content_type=FORM
    )
    assert response.status_code == 400 and "10000 rækker" in response.content.decode()
    assert fresh().content == before.content


def test_ten_thousand_choices_in_english(draft, coordinator):
    client = client_for(coordinator)
    client.cookies["django_language"] = "en"
    response = client.post(
        url("spoergsmaal", 0),
        urlencode(choice_rows(draft, 10_000)),
        content_type=FORM,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "10000 rows of choices were sent" in response.content.decode()


def test_the_long_post_still_needs_the_csrf_token(draft, coordinator):
    from django.test import Client

    from tests.factories import force_login

    client = Client(enforce_csrf_checks=True)
    force_login(client, coordinator)
    before = fresh().content
    response = client.post(
        url("spoergsmaal", 0), urlencode(choice_rows(draft, 10_000)), content_type=FORM
    )
    assert response.status_code == 403
    assert fresh().content == before


def test_the_builder_pages_load_htmx_without_eval_under_the_strict_csp(draft, as_coordinator):
    for path in (url(), url("spoergsmaal", 0)):
        response = as_coordinator.get(path)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
        html = response.content.decode()
        config = json.loads(html.split('name="htmx-config" content=\'')[1].split("'")[0])
        assert config["allowEval"] is False and config["allowScriptTags"] is False
        assert config["includeIndicatorStyles"] is False and config["selfRequestsOnly"] is True
        assert '<script src="/static/htmx/htmx.min.js"></script>' in html
        assert "<script>" not in html and " hx-on" not in html


# --- Choices on a question's page ------------------------------------------------------------


def choice_question(draft, as_coordinator):
    data = new_question(draft, key="mode", type="single_choice")
    data.update({"choice-0-value": "online", "choice-0-label_da": "Online"})
    data.update({"choice-1-value": "physical", "choice-1-label_da": "Fysisk"})
    as_coordinator.post(url("spoergsmaal", "ny"), data)
    return len(keys()) - 1, data


def test_a_question_page_offers_its_choice_buttons_to_htmx(draft, as_coordinator):
    n, _data = choice_question(draft, as_coordinator)
    html = as_coordinator.get(url("spoergsmaal", n)).content.decode()
    button = html.split('name="choice_move" value="0:down"')[1].split(">")[0]
    assert f'hx-post="{url("spoergsmaal", n)}" hx-target="#valgmuligheder"' in button
    assert (
        'hx-select="#valgmuligheder"' in button
        and 'hx-select-oob="#id_revision,#id_item_key"' in button
    )
    # The add page's choice buttons post the whole page (the item does not exist yet).
    add = as_coordinator.get(url("spoergsmaal", "ny")).content.decode()
    assert 'hx-target="#valgmuligheder"' not in add


def test_an_htmx_choice_move_saves_and_redirects_as_a_plain_one(draft, as_coordinator):
    n, data = choice_question(draft, as_coordinator)
    data.update({"revision": fresh().revision, "choice_move": "1:up"})
    response = as_coordinator.post(url("spoergsmaal", n), data, **HTMX)
    # htmx follows the redirect and takes the choices from the page it leads to.
    assert response.status_code == 302
    assert response["Location"] == url("spoergsmaal", n) + "#valgmuligheder"
    assert [c["value"] for c in fresh().content["questions"][n]["choices"]] == [
        "physical",
        "online",
    ]


def test_a_refused_htmx_choice_save_replaces_the_whole_content(draft, as_coordinator):
    n, data = choice_question(draft, as_coordinator)
    before = fresh().content
    data.update({"revision": fresh().revision - 1, "choice_move": "1:up"})
    response = as_coordinator.post(url("spoergsmaal", n), data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#main-content"
    assert response["HX-Reselect"] == "#main-content"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="refusal"' in response.content.decode()
    assert fresh().content == before


def test_a_choice_button_swaps_back_the_item_key_so_a_renamed_question_saves_again(
    draft, as_coordinator
):
    """Op/Ned and "Gem og tilføj flere" on a question's page replace only the choices; the
    hidden item_key (the key the page was opened with) must come back with them, or the next
    Gem after renaming the key is refused as "moved"."""
    as_coordinator.post(
        url("spoergsmaal", "ny"), urlencode(choice_rows(draft, 2)), content_type=FORM
    )
    index = len(fresh().content["questions"]) - 1
    page = as_coordinator.get(url("spoergsmaal", index)).content.decode()
    assert 'id="id_item_key"' in page
    buttons = re.findall(r"<button[^>]*hx-select-oob=\"([^\"]*)\"", page)
    assert buttons and all("#id_item_key" in b.split(",") for b in buttons)
    # Rename and move a choice down, as the button posts it (htmx follows the redirect).
    data = choice_rows(fresh(), 2) | {"key": "renamed", "item_key": "teachers"}
    data["choice_move"] = "0:down"
    moved = as_coordinator.post(
        url("spoergsmaal", index), urlencode(data), content_type=FORM, follow=True, **HTMX
    ).content.decode()
    assert re.search(r'name="item_key" id="id_item_key" value="renamed"', moved)
    revision = re.search(r'name="revision" value="(\d+)"', moved).group(1)
    # The next Gem posts what the swap left on the page: saved, not refused.
    again = choice_rows(fresh(), 2) | {"key": "renamed", "item_key": "renamed"}
    again["revision"] = revision
    response = as_coordinator.post(url("spoergsmaal", index), urlencode(again), content_type=FORM)
    assert response.status_code == 302
    assert fresh().content["questions"][index]["key"] == "renamed"


def test_a_move_answers_only_the_list_and_a_saved_add_empties_its_panel(draft, as_coordinator):
    """The panel (an open add form with typed text) is outside the swapped #part-… block: a move
    does not touch it; the add form's own save empties it out of band."""
    moved = as_coordinator.post(
        url("spoergsmaal", 0, "flyt"), {"revision": draft.revision, "direction": "down"}, **HTMX
    ).content.decode()
    assert 'id="part-spoergsmaal"' in moved and 'id="panel-spoergsmaal"' not in moved
    added = as_coordinator.post(url("spoergsmaal", "ny"), new_question(fresh()), **HTMX)
    html = added.content.decode()
    assert '<div id="panel-spoergsmaal" class="builder-panel" hx-swap-oob="true"></div>' in html


@pytest.mark.parametrize(
    ("language", "said"), [("da", "Ikke gemt – prøv igen."), ("en", "Not saved – try again.")]
)
def test_the_pages_carry_the_translated_not_saved_text_for_a_failed_request(
    draft, as_coordinator, language, said
):
    as_coordinator.cookies["django_language"] = language
    for path in (url(), url("spoergsmaal", 0)):
        html = as_coordinator.get(path).content.decode()
        assert f'id="builder-error" role="alert" data-said="{said}"' in html
