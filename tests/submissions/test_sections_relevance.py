"""Sections and show-when in the officer's form, the receipt and validation: headings over
sections, a hidden question is not required, its answer is cleared on save, and rules and
derived values treat it as absent."""

import pytest
from django.template.loader import render_to_string

from submissions.models import Submission
from submissions.notifications import receipt_data
from submissions.validation import hidden_keys, validate
from surveys.definitions import validate_definition
from tests.factories import make_round, make_submission
from tests.submissions.conftest import form_url, post_form
from tests.surveys.sectioned import sectioned, sectioned_round, with_entries

SPEC = validate_definition(sectioned())


def saved(round_, code="360"):
    return Submission.objects.get(round=round_, municipality__code=code)


# --- validation (the one place that judges answers: web form, API, imports alike)


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped():
    result = validate(SPEC, {"pupils": 40, "has_agreements": False, "agreements": 50})
    assert result.hidden == {"agreements", "agreements_note"}
    assert result.answers["agreements"] is None  # cleared: not stored
    assert result.answers["agreements_note"] is None
    assert result.errors == []  # not required; its rule (agreements <= pupils) not run


def test_a_shown_question_is_required_and_checked_by_the_rules():
    result = validate(SPEC, {"pupils": 5, "has_agreements": True, "agreements": 8})
    assert result.hidden == {"agreements_note"}  # shown only for more than 10 agreements…
    assert {(f["field"], f["code"]) for f in result.errors} == {("agreements", "rule")}
    result = validate(SPEC, {"pupils": 5, "has_agreements": True})
    assert {(f["field"], f["code"]) for f in result.errors} == {("agreements", "required")}
    result = validate(SPEC, {"pupils": 40, "has_agreements": True, "agreements": 12})
    assert result.hidden == set()  # …which 12 is: the note is shown and required
    assert {(f["field"], f["code"]) for f in result.errors} == {("agreements_note", "required")}


def test_derived_values_treat_a_hidden_question_as_absent():
    assert validate(SPEC, {"pupils": 40, "has_agreements": True, "agreements": 4}).derived == {
        "per_pupil": 0.1
    }
    hidden = validate(SPEC, {"pupils": 40, "has_agreements": False, "agreements": 4})
    assert hidden.derived == {"per_pupil": None}


def test_an_invalid_answer_in_a_hidden_question_is_no_error_either():
    result = validate(SPEC, {"pupils": 40, "has_agreements": False, "agreements": "mange"})
    assert result.errors == [] and result.answers["agreements"] is None


def test_a_typo_in_the_answer_a_show_when_needs_keeps_the_question_and_its_answer():
    answers = {"pupils": 40, "has_agreements": True, "agreements": "12x", "agreements_note": "Ja"}
    result = validate(SPEC, answers)
    assert "agreements_note" not in result.hidden
    assert result.answers["agreements_note"] == "Ja"  # kept until the typo is fixed


def test_a_rules_message_goes_to_a_shown_field_when_its_first_field_is_hidden():
    content = sectioned()
    content["rules"].append(
        {
            "key": "few_pupils",
            "severity": "error",
            "expression": "pupils >= 10",
            "fields": ["agreements", "pupils"],
            "message": {"da": "For få elever."},
        }
    )
    spec = validate_definition(content)
    shown = validate(spec, {"pupils": 5, "has_agreements": True, "agreements": 1})
    assert [f["field"] for f in shown.errors if f["key"] == "few_pupils"] == ["agreements"]
    hidden = validate(spec, {"pupils": 5, "has_agreements": False})
    assert [f["field"] for f in hidden.errors if f["key"] == "few_pupils"] == ["pupils"]


def test_definitions_without_show_when_hide_nothing():
    spec = validate_definition(
        {**sectioned(), "sections": [], "questions": [
            {k: v for k, v in q.items() if k not in ("section", "relevant_when")}
            for q in sectioned()["questions"]
        ]}
    )  # fmt: skip
    assert not spec.has_relevance
    assert hidden_keys(spec, {"pupils": 1}) == set()
    assert validate(spec, {"pupils": 1}).hidden == set()


# --- the officer's form


@pytest.fixture
def outreach(db):
    return sectioned_round()


def test_the_form_shows_each_section_under_its_heading(as_lolland, outreach):
    html = as_lolland.get(form_url(outreach)).content.decode()
    assert '<h2 id="section-staff-heading">Personale</h2>' in html
    assert "<p>Tal for hele skoleåret.</p>" in html
    staff = html.index('id="section-staff"')
    assert staff < html.index('data-question="pupils"') < html.index("section-agreements_part")
    # The comment stands outside any section, after the last one: under its own heading.
    other = html.index('<h2 id="section-other-2-heading">Øvrige spørgsmål</h2>')
    assert html.index("</section>", html.index("section-agreements_part")) < other
    assert other < html.index('data-question="comment"')


def test_a_hidden_section_and_question_are_rendered_hidden_until_their_condition_holds(
    as_lolland, outreach
):
    html = as_lolland.get(form_url(outreach)).content.decode()
    assert 'aria-labelledby="section-agreements_part-heading" hidden>' in html
    assert 'data-question="agreements_note" hidden>' in html
    assert 'data-question="pupils">' in html
    post_form(as_lolland, outreach, {"pupils": "40", "has_agreements": "yes"}, version=0)
    html = as_lolland.get(form_url(outreach)).content.decode()
    assert 'aria-labelledby="section-agreements_part-heading">' in html  # shown now
    assert 'data-question="agreements">' in html
    assert "Feltet skal udfyldes." in html  # and required
    assert 'data-question="agreements_note" hidden>' in html  # still: 10 or fewer


def test_saving_clears_the_answer_of_a_question_that_became_hidden(as_lolland, outreach):
    post_form(
        as_lolland,
        outreach,
        {"pupils": "40", "has_agreements": "yes", "agreements": "12", "agreements_note": "X"},
        version=0,
    )
    assert saved(outreach).answers["agreements_note"] == "X"
    post_form(
        as_lolland,
        outreach,
        {"pupils": "40", "has_agreements": "no", "agreements": "12", "agreements_note": "X"},
        version=1,
    )
    sub = saved(outreach)
    assert sub.answers["agreements"] is None and sub.answers["agreements_note"] is None
    assert sub.error_count == 0
    response = post_form(
        as_lolland, outreach, {"pupils": "40", "has_agreements": "no"}, version=2, action="submit"
    )
    assert response.status_code == 302 and saved(outreach).state == "submitted"


def test_a_form_without_sections_has_no_section_markup(as_lolland, db):
    jml = make_round(codes=["360"], slug="jml-2026")
    html = as_lolland.get(form_url(jml)).content.decode()
    assert "<section" not in html.split("<main", 1)[-1].split("</form>")[0]
    assert " hidden>" not in html.split("<form", 1)[-1].split("</form>")[0]


def test_the_read_only_page_lists_answers_under_section_titles(as_coordinator, outreach):
    make_submission(outreach, "360", {"pupils": 40, "has_agreements": False, "agreements": 3})
    html = as_coordinator.get(form_url(outreach)).content.decode()
    assert "<h3>Personale</h3>" in html
    assert "<h3>Aftaler</h3>" not in html  # every question of it hidden: not listed
    assert "Antal aftaler" not in html


# --- the receipt (page and PDF)


def test_the_receipt_lists_answers_under_section_headings_without_hidden_ones(as_lolland, outreach):
    make_submission(
        outreach, "360", {"pupils": 40, "has_agreements": True, "agreements": 4, "comment": "Ok"}
    )
    html = as_lolland.get(form_url(outreach, suffix="kvittering/")).content.decode()
    body = html.split("<h2>Besvarelse</h2>", 1)[1]
    assert body.index("<h3>Personale</h3>") < body.index("Elever i forløbet")
    assert body.index("<h3>Aftaler</h3>") < body.index("Antal aftaler")
    assert "Hvorfor så mange aftaler?" not in body  # hidden: 4 agreements
    assert body.index("Antal aftaler") < body.index("<h3>Øvrige spørgsmål</h3>")
    assert body.index("<h3>Øvrige spørgsmål</h3>") < body.index("Bemærkninger")
    assert body.index("<h3>Beregnede værdier</h3>") < body.index("Aftaler pr. elev")


def test_the_receipt_pdf_has_the_section_headings(outreach):
    sub = make_submission(outreach, "360", {"pupils": 40, "has_agreements": False})
    context = receipt_data(sub, outreach, sub.municipality, "en")
    html = render_to_string(
        "submissions/receipt_pdf.html", {**context, "font_faces": [], "pdf_language": "en"}
    )
    assert "<h3>Staff</h3>" in html
    assert "Agreements</h3>" not in html and "Number of agreements" not in html
    pdf = as_pdf(sub)
    assert pdf.startswith(b"%PDF")


def as_pdf(sub):
    from submissions.notifications import render_receipt_pdf

    return render_receipt_pdf(sub, "da")


# --- a survey with entries: sections and show-when per entry


@pytest.fixture
def ph_sectioned(db):
    return sectioned_round(codes=["360"], slug="ph-sektioner", content=with_entries())


ENTRY = {
    "title": "Praktik",
    "theme": "",
    "goal": "Flere i praktik",
    "status": "planned",
    "learning": "Noget lært",
}


def test_an_entrys_hidden_question_is_cleared_and_the_page_shows_sections(as_lolland, ph_sectioned):
    spec = ph_sectioned.definition.spec
    theme = spec.question("theme").choice_values[0]
    data = {f"q-{k}": v for k, v in {**ENTRY, "theme": theme}.items()}
    response = as_lolland.post(
        form_url(ph_sectioned, suffix="poster/ny/"), {**data, "version": "0", "action": "save"}
    )
    assert response.status_code == 302
    entry = saved(ph_sectioned).answers["entries"][0]
    assert entry["learning"] is None  # planned: learning is hidden, its text cleared
    html = as_lolland.get(form_url(ph_sectioned, suffix="poster/1/")).content.decode()
    assert '<h2 id="section-about-heading">Om handlingen</h2>' in html
    assert 'data-question="learning" hidden>' in html
    result = validate(spec, {"entries": [{**ENTRY, "theme": theme, "status": "evaluated"}]})
    assert result.hidden == [set()]
    assert result.answers["entries"][0]["learning"] == "Noget lært"


# --- live show-when for the form's script (static/js/relevance.js): nothing is stored


def test_the_relevance_endpoint_says_what_the_typed_answers_hide_and_stores_nothing(
    as_lolland, outreach
):
    url = form_url(outreach, suffix="synlighed/")
    reply = as_lolland.post(url, {"q-pupils": "40", "q-has_agreements": "no"}).json()
    assert reply == {
        "hidden": ["agreements", "agreements_note"],
        "sections": ["agreements_part"],
    }
    reply = as_lolland.post(url, {"q-has_agreements": "yes", "q-agreements": "11"}).json()
    assert reply == {"hidden": [], "sections": []}
    assert not Submission.objects.filter(round=outreach).exists()


def test_the_form_loads_the_script_only_for_a_definition_with_show_when(as_lolland, outreach):
    html = as_lolland.get(form_url(outreach)).content.decode()
    assert f'data-relevance-url="{form_url(outreach, suffix="synlighed/")}"' in html
    assert "js/relevance" in html
    jml = make_round(codes=["360"], slug="jml-2026")
    html = as_lolland.get(form_url(jml)).content.decode()
    assert "data-relevance-url" not in html and "js/relevance" not in html
    assert "<noscript>" not in html


def test_without_javascript_the_form_says_questions_appear_after_a_save(as_lolland, outreach):
    html = as_lolland.get(form_url(outreach)).content.decode()
    assert '<noscript><p class="form-hint">Nogle spørgsmål vises kun' in html


@pytest.mark.parametrize("who,status", [("as_odder", 404), ("as_analyst", 403), ("anonymous", 302)])
def test_outsiders_cannot_ask_the_relevance_endpoint(request, outreach, client, who, status):
    caller = client if who == "anonymous" else request.getfixturevalue(who)
    response = caller.post(form_url(outreach, suffix="synlighed/"), {"q-has_agreements": "no"})
    assert response.status_code == status


def test_the_relevance_endpoint_takes_only_post(as_lolland, outreach):
    assert as_lolland.get(form_url(outreach, suffix="synlighed/")).status_code == 405


def test_the_relevance_endpoint_reads_one_entry_in_a_survey_with_entries(as_lolland, db):
    round_ = sectioned_round(codes=["360"], slug="ph-sektioner", content=with_entries())
    url = form_url(round_, suffix="synlighed/")
    assert as_lolland.post(url, {"q-status": "planned"}).json()["hidden"] == ["learning"]
    assert as_lolland.post(url, {"q-status": "evaluated"}).json()["hidden"] == []
    html = as_lolland.get(form_url(round_, suffix="poster/ny/")).content.decode()
    assert f'data-relevance-url="{url}"' in html and "js/relevance" in html


def test_a_refused_save_keeps_what_was_typed_in_a_question_it_hides(as_lolland, outreach):
    """A stale version refuses the save: nothing is stored, so the text typed in a question
    the show-when now hides comes back on the page (showing it again shows the text)."""
    post_form(as_lolland, outreach, {"pupils": "40", "has_agreements": "yes"}, version=0)
    response = post_form(
        as_lolland,
        outreach,
        {"pupils": "40", "has_agreements": "no", "agreements_note": "Skrevet med omhu"},
        version=0,  # stale: the save above made it 1
    )
    assert response.status_code == 409
    assert "Skrevet med omhu" in response.content.decode()
    assert saved(outreach).answers.get("agreements_note") is None
