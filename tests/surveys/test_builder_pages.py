"""The builder's pages (/undersoegelser/): outsiders see nothing, every part of a draft can be
edited with plain form posts, problems show at the field, two coordinators never overwrite
each other, publishing shows the diff in words and leaves rounds on their version."""

import re

import pytest

from accounts.models import AuditEvent, Role
from surveys import builder
from surveys.models import Definition, DraftVersion, Survey
from tests.conftest import client_for
from tests.factories import make_round, make_user, shipped_definition

IP = "127.0.0.1"
KEY = "juniormesterlaere"


@pytest.fixture
def survey(db):
    return shipped_definition().survey


@pytest.fixture
def draft(survey, coordinator):
    return builder.open_draft(survey=survey, actor=coordinator, ip=IP)


def url(name="", *args):
    base = f"/undersoegelser/{KEY}/kladde/"
    if not args:
        return base + name
    return base + "/".join([name, *map(str, args)]) + "/"


def fresh():
    return DraftVersion.objects.get(survey__key=KEY)


def question_data(draft, **changes):
    """The post of the question form for questions[0] as it is, with changes."""
    data = {
        "revision": draft.revision,
        "key": "pupils_8_9",
        "type": "integer",
        "label_da": "Elever i 8. og 9. klasse",
        "label_en": "Pupils in 8th and 9th grade",
        "help_da": "Alle elever i kommunens 8. og 9. klasser på opgørelsesdagen.",
        "help_en": "All pupils in the municipality's 8th and 9th grades on the reference date.",
        "unit_da": "elever",
        "unit_en": "pupils",
        "required": "on",
        "required_when": "",
        "min": "0",
        "max": "",
        "max_length": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


PAGES = [
    "/undersoegelser/",
    "/undersoegelser/ny/",
    f"/undersoegelser/{KEY}/",
    url(),
    url("generelt/"),
    url("udgiv/"),
    url("kasser/"),
    url("forhaandsvisning/"),
    url("spoergsmaal/ny/"),
    url("spoergsmaal", 0),
    url("spoergsmaal", 0, "fjern"),
    url("afledte", 0),
    url("regler", 1),
    url("historik", 0),
    url("indikatorer", 0),
]


@pytest.mark.parametrize("page", PAGES)
def test_outsiders_get_404_and_anonymous_the_login(page, draft, lolland, odder, analyst):
    for user in (lolland, odder, analyst):
        assert client_for(user).get(page).status_code == 404
    response = client_for(None).get(page)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_outsiders_cannot_post_anything(draft, lolland, analyst, survey):
    posts = [
        ("/undersoegelser/ny/", {"key": "x", "title_da": "X"}),
        (url("opret/"), {}),
        (url("spoergsmaal", 0), question_data(draft, label_da="Hacked")),
        (url("spoergsmaal", 2, "fjern"), {"revision": draft.revision}),
        (url("spoergsmaal", 0, "flyt"), {"revision": draft.revision, "direction": "down"}),
        (url("udgiv/"), {"revision": draft.revision}),
        (url("kasser/"), {"revision": draft.revision}),
        (url("forhaandsvisning/"), {"q-pupils_8_9": "1"}),
    ]
    events = AuditEvent.objects.exclude(action__startswith="auth.").count()
    for user in (lolland, analyst, None):
        client = client_for(user)
        for page, data in posts:
            assert client.post(page, data).status_code in (302, 404), (user, page)
    assert fresh().content == draft.content and fresh().revision == draft.revision
    assert (
        AuditEvent.objects.exclude(action__startswith="auth.").count() == events
        and not Survey.objects.filter(key="x").exists()
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_the_coordinator(page, draft, as_coordinator):
    response = as_coordinator.get(page)
    assert response.status_code == 200, page
    assert b'lang="' in response.content


def test_the_survey_list_shows_versions_and_the_rounds_using_each(survey, as_coordinator):
    make_round(slug="feb-2026", title="Februar 2026")
    page = as_coordinator.get("/undersoegelser/").content.decode()
    assert "Juniormesterlære — tilmeldte elever" in page
    assert 'href="/runder/feb-2026/"' in page and "Februar 2026" in page


def test_create_a_survey_by_form(as_coordinator, coordinator, db):
    response = as_coordinator.post(
        "/undersoegelser/ny/", {"title_da": "Erhvervsskoler", "title_en": "", "key": "Bad Key"}
    )
    assert response.status_code == 200 and "Nøglen skal bestå af små bogstaver" in (
        response.content.decode()
    )
    response = as_coordinator.post(
        "/undersoegelser/ny/",
        {"title_da": "Erhvervsskoler", "title_en": "Vocational schools", "key": "erhvervsskoler"},
    )
    assert response["Location"] == "/undersoegelser/erhvervsskoler/kladde/"
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "Tilføj mindst ét spørgsmål." in page


def test_open_a_draft_from_the_survey_page(survey, as_coordinator):
    response = as_coordinator.post(url("opret/"))
    assert response["Location"] == url()
    assert fresh().content == survey.current_definition().content


def test_edit_a_question_every_property(draft, as_coordinator):
    data = question_data(
        draft,
        label_da="Elever i alt",
        help_da="Hjælp",
        help_en="Help",
        required=None,
        required_when="enrolled > 0",
        min="1",
        max="5000,5",
    )
    response = as_coordinator.post(url("spoergsmaal", 0), data)
    assert response.status_code == 302
    q = fresh().content["questions"][0]
    assert q == {
        "key": "pupils_8_9",
        "type": "integer",
        "label": {"da": "Elever i alt", "en": "Pupils in 8th and 9th grade"},
        "help": {"da": "Hjælp", "en": "Help"},
        "unit": {"da": "elever", "en": "pupils"},
        "required_when": "enrolled > 0",
        "min": 1,
        "max": 5000.5,
    }
    assert AuditEvent.objects.filter(action="draft.saved").count() == 1


def test_a_number_that_is_not_a_number_is_refused_and_nothing_saved(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", 0), question_data(draft, min="ti"))
    assert response.status_code == 200
    assert "Skriv et tal" in response.content.decode()
    assert fresh().revision == draft.revision


def test_an_invalid_expression_is_saved_and_shown_at_its_field(draft, as_coordinator):
    data = question_data(draft, required_when="enroled > 0")
    response = as_coordinator.post(url("spoergsmaal", 0), data, follow=True)
    page = response.content.decode()
    assert fresh().content["questions"][0]["required_when"] == "enroled > 0"
    assert 'id="id_required_when-error"' in page and "Ukendt navn »enroled«." in page
    overview = as_coordinator.get(url()).content.decode()
    assert "Spørgsmål 1: Ukendt navn »enroled«." in overview
    publish = as_coordinator.get(url("udgiv/")).content.decode()
    assert "Ukendt navn »enroled«." in publish and "Udgiv version 2</button>" not in publish
    response = as_coordinator.post(url("udgiv/"), {"revision": fresh().revision})
    assert response.status_code == 409 and Definition.objects.count() == 1


def test_a_blank_label_is_refused_at_the_field(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", 0), question_data(draft, label_da="   "))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_label_da-error"' in page and "Skal udfyldes." in page
    assert fresh().revision == draft.revision  # nothing saved
    # What the format requires is not marked optional; the rest is.
    form = as_coordinator.get(url("spoergsmaal", 0)).content.decode()
    label = form[form.index('for="id_label_da"') :].split("</label>")[0]
    assert "valgfrit" not in label
    assert "valgfrit" in form[form.index('for="id_help_da"') :].split("</label>")[0]


def test_choices_add_reorder_relabel_and_remove(draft, as_coordinator):
    data = {
        "revision": draft.revision,
        "key": "mode",
        "type": "single_choice",
        "label_da": "Form",
        "choice-0-value": "online",
        "choice-0-label_da": "Online",
        "choice-1-value": "physical",
        "choice-1-label_da": "Fysisk",
        "choice-2-value": "",
        "choice-2-label_da": "",
    }
    response = as_coordinator.post(url("spoergsmaal/ny/"), data)
    assert response["Location"] == url("spoergsmaal", 3)
    choices = fresh().content["questions"][3]["choices"]
    assert [c["value"] for c in choices] == ["online", "physical"]
    # Move "physical" up, relabel "online", add "both".
    data.update(
        {
            "revision": fresh().revision,
            "choice-0-label_da": "Digitalt",
            "choice-2-value": "both",
            "choice-2-label_da": "Begge",
            "choice_move": "1:up",
        }
    )
    as_coordinator.post(url("spoergsmaal", 3), data)
    choices = fresh().content["questions"][3]["choices"]
    assert [(c["value"], c["label"]["da"]) for c in choices] == [
        ("physical", "Fysisk"),
        ("online", "Digitalt"),
        ("both", "Begge"),
    ]
    data = {**data, "revision": fresh().revision, "choice-2-remove": "1"}
    data.pop("choice_move")
    as_coordinator.post(url("spoergsmaal", 3), data)
    assert len(fresh().content["questions"][3]["choices"]) == 2


def test_a_published_choice_value_cannot_change(as_coordinator, coordinator):
    shipped_definition("proevehandlinger")
    survey = Survey.objects.get(key="proevehandlinger")
    draft = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    index = next(i for i, q in enumerate(draft.content["questions"]) if q["key"] == "status")
    q = draft.content["questions"][index]
    data = {
        "revision": draft.revision,
        "key": "status",
        "type": q["type"],
        "label_da": q["label"]["da"],
        "required": "on",
    }
    for i, c in enumerate(q["choices"]):
        data[f"choice-{i}-value"] = c["value"]
        data[f"choice-{i}-label_da"] = c["label"]["da"]
    page = f"/undersoegelser/proevehandlinger/kladde/spoergsmaal/{index}/"
    form = as_coordinator.get(page).content.decode()
    first = q["choices"][0]["value"]
    assert f'<input type="hidden" name="choice-0-value" value="{first}">' in form
    response = as_coordinator.post(page, {**data, "choice-0-value": "renamed"})
    assert response.status_code == 200
    assert "kan ikke få en ny værdi" in response.content.decode()
    assert DraftVersion.objects.get(survey=survey).revision == draft.revision


def _status_form(coordinator):
    """proevehandlinger's draft, and the post of its `status` question form as it is."""
    shipped_definition("proevehandlinger")
    survey = Survey.objects.get(key="proevehandlinger")
    draft = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    index = next(i for i, q in enumerate(draft.content["questions"]) if q["key"] == "status")
    q = draft.content["questions"][index]
    data = {
        "revision": draft.revision,
        "key": "status",
        "type": q["type"],
        "label_da": q["label"]["da"],
        "required": "on",
    }
    for i, c in enumerate(q["choices"]):
        data[f"choice-{i}-value"] = c["value"]
        data[f"choice-{i}-label_da"] = c["label"]["da"]
    return survey, index, data, f"/undersoegelser/proevehandlinger/kladde/spoergsmaal/{index}/"


def test_a_published_choice_given_another_meaning_is_said_at_the_choices(
    as_coordinator, coordinator
):
    survey, index, data, page = _status_form(coordinator)
    said = "»Aflyst« giver den en anden betydning"
    # Live, as typed: the check answers it with the choices' messages; nothing is stored.
    reply = as_coordinator.post(page + "kontrol/", {**data, "choice-0-label_da": "Aflyst"}).json()
    assert any(said in m for m in reply["general"])
    assert DraftVersion.objects.get(survey=survey).revision == data["revision"]
    # Saved (a draft may hold it), and said at the choices when the page comes back.
    response = as_coordinator.post(page, {**data, "choice-0-label_da": "Aflyst"}, follow=True)
    html = response.content.decode()
    assert said in html and 'id="valgmuligheder"' in html
    q = DraftVersion.objects.get(survey=survey).content["questions"][index]
    assert q["choices"][0]["label"]["da"] == "Aflyst"
    # A spelling fix is just saved.
    data["revision"] = DraftVersion.objects.get(survey=survey).revision
    response = as_coordinator.post(page, {**data, "choice-2-label_da": "Gennemført."}, follow=True)
    assert "Gennemført." in response.content.decode()
    assert "»Gennemført.« giver den en anden betydning" not in response.content.decode()


def test_publishing_a_changed_choice_meaning_from_the_page_needs_the_box_ticked(
    as_coordinator, coordinator
):
    survey, index, data, page = _status_form(coordinator)
    as_coordinator.post(page, {**data, "choice-0-label_da": "Aflyst"})
    publish = "/undersoegelser/proevehandlinger/kladde/udgiv/"
    html = as_coordinator.get(publish).content.decode()
    assert "værdien planned betød »Planlagt«" in html
    assert 'name="confirm_changed_meaning" value="1" required' in html
    revision = DraftVersion.objects.get(survey=survey).revision
    refused = as_coordinator.post(publish, {"revision": revision})
    assert refused.status_code == 409 and "»Aflyst« giver den en anden betydning" in (
        refused.content.decode()
    )
    assert survey.definitions.count() == 1
    done = as_coordinator.post(publish, {"revision": revision, "confirm_changed_meaning": "1"})
    assert done.status_code == 302 and survey.definitions.count() == 2


@pytest.mark.parametrize(
    "part,index,data,check",
    [
        (
            "afledte",
            0,
            {"key": "share", "expression": "enrolled / pupils_8_9 * 100", "type": "decimal",
             "label_da": "Andel", "label_en": ""},
            lambda c: c["derived"][0] == {"key": "share",
                                          "expression": "enrolled / pupils_8_9 * 100",
                                          "type": "decimal", "label": {"da": "Andel"}},
        ),
        (
            "regler",
            1,
            {"key": "share_high", "expression": "share <= 0.3", "severity": "error",
             "scope": "submission", "show_at": ["enrolled", "pupils_8_9"],
             "message_da": "For mange", "message_en": "Too many"},
            lambda c: c["rules"][1] == {"key": "share_high", "expression": "share <= 0.3",
                                        "severity": "error", "fields": ["enrolled", "pupils_8_9"],
                                        "message": {"da": "For mange", "en": "Too many"}},
        ),
        (
            "historik",
            0,
            {"key": "pupils_8_9_change", "question": "enrolled", "max_change_percent": "12,5",
             "severity": "error", "message_da": "Ændret", "message_en": ""},
            lambda c: c["history_checks"][0] == {"key": "pupils_8_9_change", "question": "enrolled",
                                                 "max_change_percent": 12.5, "severity": "error",
                                                 "message": {"da": "Ændret"}},
        ),
        (
            "indikatorer",
            0,
            {"key": "share", "numerator": "enrolled", "denominator": "pupils_8_9", "target": "0,1",
             "thresholds": "0,02; 0,05", "label_da": "Andel", "target_label_da": "Mål 10 %"},
            lambda c: c["indicators"][0] == {"key": "share", "numerator": "enrolled",
                                             "denominator": "pupils_8_9", "target": 0.1,
                                             "thresholds": [0.02, 0.05], "label": {"da": "Andel"},
                                             "target_label": {"da": "Mål 10 %"}},
        ),
    ],
)  # fmt: skip
def test_edit_derived_rules_history_checks_and_indicators(
    part, index, data, check, draft, as_coordinator
):
    response = as_coordinator.post(url(part, index), {**data, "revision": draft.revision})
    assert response.status_code == 302, response.content.decode()[:3000]
    content = fresh().content
    assert check(content), content
    assert builder.draft_problems(content) == []


def test_settings_title_description_and_entries(draft, as_coordinator):
    data = {
        "revision": draft.revision,
        "title_da": "Ny titel",
        "title_en": "New title",
        "description_da": "",
        "description_en": "",
        "has_entries": "on",
        "entries_label_da": "Aktivitet",
        "entries_label_plural_da": "Aktiviteter",
        "entries_allow_nothing_to_report": "on",
        "entries_max": "20",
    }
    assert as_coordinator.post(url("generelt/"), data).status_code == 302
    content = fresh().content
    assert content["title"] == {"da": "Ny titel", "en": "New title"}
    assert "description" not in content
    assert content["entries"] == {
        "label": {"da": "Aktivitet"},
        "label_plural": {"da": "Aktiviteter"},
        "allow_nothing_to_report": True,
        "max": 20,
    }
    # Derived values are for surveys without entries: said at the derived value.
    page = as_coordinator.get(url()).content.decode()
    assert "Afledte værdier findes kun i undersøgelser uden poster." in page


def test_add_move_and_remove_with_buttons(draft, as_coordinator):
    response = as_coordinator.post(
        url("spoergsmaal", 2, "flyt"), {"revision": draft.revision, "direction": "up"}
    )
    assert response.status_code == 302
    assert [q["key"] for q in fresh().content["questions"]] == ["pupils_8_9", "comment", "enrolled"]
    page = as_coordinator.get(url()).content.decode()
    assert 'name="direction" value="up"' in page and 'name="direction" value="down"' in page
    response = as_coordinator.post(url("spoergsmaal", 1, "fjern"), {"revision": fresh().revision})
    assert response.status_code == 302
    assert [q["key"] for q in fresh().content["questions"]] == ["pupils_8_9", "enrolled"]


def test_removing_a_used_question_is_refused_naming_its_users(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", 1, "fjern"), {"revision": draft.revision})
    page = response.content.decode()
    assert response.status_code == 409
    assert "reglen enrolled_le_pupils" in page and "indikatoren share" in page
    assert len(fresh().content["questions"]) == 3


def test_two_coordinators_editing_at_once_overwrite_nothing(draft, coordinator, as_coordinator):
    other = make_user(Role.COORDINATOR, email="ole@indberet.dk", name="Ole Other")
    as_other = client_for(other)
    # Both open question 1 at the same revision; Ole saves first.
    as_other.post(url("spoergsmaal", 0), question_data(draft, label_da="Oles tekst"))
    response = as_coordinator.post(
        url("spoergsmaal", 0), question_data(draft, label_da="Min tekst")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kladden er ændret af Ole Other" in page
    assert "Oles tekst" in page and 'value="Min tekst"' in page  # both versions shown
    assert fresh().content["questions"][0]["label"]["da"] == "Oles tekst"
    # Saving again is a choice made knowingly: the page carries the new revision.
    assert f'name="revision" value="{fresh().revision}"' in page
    # A stale move is refused too.
    response = as_coordinator.post(
        url("spoergsmaal", 0, "flyt"), {"revision": draft.revision, "direction": "down"}
    )
    assert fresh().content["questions"][0]["key"] == "pupils_8_9"


def test_publish_shows_the_diff_and_creates_the_next_version(draft, as_coordinator):
    round_ = make_round(slug="feb-2026")
    as_coordinator.post(url("spoergsmaal", 0), question_data(draft, label_da="Elever i alt"))
    page = as_coordinator.get(url("udgiv/")).content.decode()
    assert "Ændringer i forhold til version 1" in page
    assert "Spørgsmålet pupils_8_9 ændres: tekst." in page
    response = as_coordinator.post(url("udgiv/"), {"revision": fresh().revision})
    assert response["Location"] == f"/undersoegelser/{KEY}/"
    assert Definition.objects.filter(survey__key=KEY).count() == 2
    round_.refresh_from_db()
    assert round_.definition.version == 1
    detail = as_coordinator.get(response["Location"]).content.decode()
    assert "feb-2026" in detail
    assert AuditEvent.objects.filter(action="definition.published").exists()


def test_discard(draft, as_coordinator):
    response = as_coordinator.post(url("kasser/"), {"revision": draft.revision})
    assert response.status_code == 302 and not DraftVersion.objects.exists()
    assert as_coordinator.get(url()).status_code == 302  # no draft: back to the survey


def test_preview_in_danish_and_english_and_try_it(draft, as_coordinator):
    page = as_coordinator.get(url("forhaandsvisning/")).content.decode()
    assert 'name="q-pupils_8_9"' in page and "Elever i 8. og 9. klasse" in page
    english = as_coordinator.get(url("forhaandsvisning/") + "?sprog=en").content.decode()
    assert "Pupils in 8th and 9th grade" in english and '<div class="preview" lang="en">' in english
    assert "(optional)" in english  # the officer's own template, in English
    response = as_coordinator.post(
        url("forhaandsvisning/"), {"q-pupils_8_9": "100", "q-enrolled": "150", "sprog": "da"}
    )
    tried = response.content.decode()
    assert "Antal tilmeldte kan ikke være større" in tried  # the rule's error
    assert "150,0 %" in tried  # the derived value
    assert 'value="150"' in tried
    # Nothing stored.
    assert fresh().revision == draft.revision
    assert not AuditEvent.objects.filter(action="draft.saved").exists()


def test_preview_of_an_invalid_draft_says_why(draft, as_coordinator):
    as_coordinator.post(url("spoergsmaal", 0), question_data(draft, required_when="x >"))
    page = as_coordinator.get(url("forhaandsvisning/")).content.decode()
    assert "Kladden har fejl og kan ikke vises endnu" in page


def test_sections_and_show_when_are_edited_and_previewed(draft, as_coordinator):
    section = {
        "revision": draft.revision,
        "key": "school",
        "title_da": "Skolen",
        "title_en": "The school",
        "relevant_when": "",
    }
    response = as_coordinator.post(url("afsnit/ny/"), section)
    assert response["Location"] == url("afsnit", 0)
    # Questions 1 and 2 in the section; the comment shown only when enrolled > 10.
    for index in (0, 1):
        item = fresh().content["questions"][index]
        data = question_data(
            fresh(), key=item["key"], label_da=item["label"]["da"], section="school"
        )
        data.update(
            {
                "label_en": item["label"]["en"],
                "help_da": item["help"]["da"],
                "help_en": item["help"]["en"],
            }
        )
        assert as_coordinator.post(url("spoergsmaal", index), data).status_code == 302
    comment = {
        "revision": fresh().revision,
        "key": "comment",
        "type": "long_text",
        "label_da": "Bemærkning",
        "label_en": "Comment",
        "max_length": "2000",
        "relevant_when": "enrolled > 10",
    }
    assert as_coordinator.post(url("spoergsmaal", 2), comment).status_code == 302
    content = fresh().content
    assert content["sections"] == [{"key": "school", "title": {"da": "Skolen", "en": "The school"}}]
    assert [q.get("section") for q in content["questions"]] == ["school", "school", None]
    assert content["questions"][2]["relevant_when"] == "enrolled > 10"
    assert builder.draft_problems(content) == []
    preview = as_coordinator.get(url("forhaandsvisning/")).content.decode()
    assert 'id="section-school-heading">Skolen</h2>' in preview
    tried = as_coordinator.post(
        url("forhaandsvisning/"), {"q-pupils_8_9": "100", "q-enrolled": "5"}
    ).content.decode()
    assert "Skjult, fordi betingelsen for at vise dem ikke er opfyldt: Bemærkning" in tried
    assert (
        'data-relevance-url="/undersoegelser/juniormesterlaere/kladde/forhaandsvisning/synlighed/"'
        in preview
    )
    live = as_coordinator.post(
        url("forhaandsvisning/synlighed/"), {"q-pupils_8_9": "100", "q-enrolled": "50"}
    ).json()
    assert live == {"hidden": [], "sections": []}
    live = as_coordinator.post(url("forhaandsvisning/synlighed/"), {"q-enrolled": "5"}).json()
    assert live == {"hidden": ["comment"], "sections": []}
    # A section still used by questions cannot be removed; a bad show-when is named.
    response = as_coordinator.post(url("afsnit", 0, "fjern"), {"revision": fresh().revision})
    assert response.status_code == 409 and "spørgsmålet pupils_8_9" in response.content.decode()
    comment.update(revision=fresh().revision, relevant_when="enroled > 10")
    as_coordinator.post(url("spoergsmaal", 2), comment)
    page = as_coordinator.get(url("spoergsmaal", 2)).content.decode()
    assert 'id="id_relevant_when-error"' in page and "Ukendt navn »enroled«." in page


def test_sections_out_of_order_are_said_at_the_section(draft):
    content = dict(draft.content)
    content["sections"] = [
        {"key": "b", "title": {"da": "B"}},
        {"key": "a", "title": {"da": "A"}},
    ]
    content["questions"] = [
        {**content["questions"][0], "section": "a"},
        {**content["questions"][1], "section": "b"},
        content["questions"][2],
    ]
    found = {p.path: p.message for p in builder.draft_problems(content)}
    assert found == {
        "sections[0]": "Afsnittene skal stå i samme rækkefølge som deres spørgsmål (»a« kommer "
        "før »b«). Flyt afsnittet."
    }


@pytest.mark.parametrize("language", ["da", "en"])
def test_builder_pages_point_aria_only_at_existing_ids(draft, as_coordinator, language):
    from tests.test_aria_references import dangling

    as_coordinator.cookies["django_language"] = language
    failures = []
    for page in PAGES:
        html = as_coordinator.get(page).content.decode()
        failures += [(page, d) for d in dangling(html)]
    # With errors at the fields.
    as_coordinator.post(url("spoergsmaal", 0), question_data(draft, label_da="", min="x"))
    response = as_coordinator.post(url("spoergsmaal", 0), question_data(draft, min="x"))
    assert b"aria-invalid" in response.content
    failures += [("post", d) for d in dangling(response.content.decode())]
    assert failures == []


def test_builder_pages_in_english(draft, as_coordinator):
    as_coordinator.cookies["django_language"] = "en"
    page = as_coordinator.get(url()).content.decode()
    assert "Becomes version 2 when published" in page and "Add question" in page
    assert "Tilføj" not in page


def test_live_check_answers_the_messages_per_field_and_stores_nothing(draft, as_coordinator):
    data = question_data(draft, required_when="enroled > 0", label_da=" ", min="x")
    reply = as_coordinator.post(url("spoergsmaal", 0, "kontrol"), data).json()
    assert reply["errors"] == {
        "min": ["Skriv et tal, fx 10 eller 2,5."],  # cannot be stored
        "label_da": ["Skal udfyldes."],
    }
    data["min"] = "0"
    reply = as_coordinator.post(url("spoergsmaal", 0, "kontrol"), data).json()
    assert reply["errors"] == {"label_da": ["Skal udfyldes."]}  # required: not even saved
    data["label_da"] = "Elever"
    reply = as_coordinator.post(url("spoergsmaal", 0, "kontrol"), data).json()
    assert reply["errors"] == {"required_when": ["Ukendt navn »enroled«."]}
    new = {"revision": draft.revision, "key": "in", "type": "integer", "label_da": "X"}
    reply = as_coordinator.post(url("spoergsmaal/ny/kontrol/"), new).json()
    assert "reserveret" in reply["errors"]["key"][0]
    assert fresh().revision == draft.revision and fresh().content == draft.content
    assert as_coordinator.get(url("spoergsmaal", 0, "kontrol")).status_code == 405


def test_a_stale_settings_save_shows_both_titles(draft, coordinator, as_coordinator):
    data = {"revision": draft.revision, "title_da": "Min titel", "title_en": ""}
    builder.update_settings(
        survey=draft.survey,
        revision=draft.revision,
        title={"da": "Oles titel"},
        description=None,
        entries=None,
        actor=coordinator,
        ip=IP,
    )
    page = as_coordinator.post(url("generelt/"), data).content.decode()
    assert "Oles titel" in page and 'value="Min titel"' in page
    assert fresh().content["title"] == {"da": "Oles titel"}


def test_an_empty_survey_links_its_problem_to_adding_a_question(as_coordinator, coordinator):
    builder.create_survey(key="tom", title_da="Tom", actor=coordinator, ip=IP)
    page = as_coordinator.get("/undersoegelser/tom/kladde/").content.decode()
    assert 'href="/undersoegelser/tom/kladde/spoergsmaal/ny/">Spørgsmål: Tilføj mindst ét' in page


def test_the_audit_log_says_each_save_and_publish_in_words(draft, as_coordinator):
    as_coordinator.post(url("spoergsmaal", 0), question_data(draft, label_da="Elever i alt"))
    as_coordinator.post(url("udgiv/"), {"revision": fresh().revision})
    page = as_coordinator.get("/konto/revision/").content.decode()
    name = "Juniormesterlære — tilmeldte elever"
    assert f"Karin Koordinator gemte kladden til undersøgelsen {name}" in page
    assert f"Karin Koordinator udgav en ny version af undersøgelsen {name}" in page
    assert f"Karin Koordinator oprettede en kladde til undersøgelsen {name}" in page


def test_renaming_a_used_key_is_refused_at_the_key_field(draft, as_coordinator):
    response = as_coordinator.post(url("spoergsmaal", 1), question_data(draft, key="tilmeldte"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_key-error"' in page and "Nøglen »enrolled« bruges af" in page
    assert fresh().revision == draft.revision


def test_the_survey_list_reads_in_a_fixed_number_of_queries(
    survey, coordinator, as_coordinator, django_assert_max_num_queries
):
    make_round(slug="r1")
    builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    as_coordinator.get("/undersoegelser/")  # sessions, caches
    with django_assert_max_num_queries(12) as few:
        as_coordinator.get("/undersoegelser/")
    shipped_definition("proevehandlinger")
    for n in range(3):
        make_round("proevehandlinger", slug=f"p{n}")
        builder.create_survey(key=f"ny_{n}", title_da=f"Ny {n}", actor=coordinator, ip=IP)
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_coordinator.get("/undersoegelser/")


def test_the_survey_page_offers_a_round_with_the_survey_chosen(survey, as_coordinator):
    page = as_coordinator.get(f"/undersoegelser/{KEY}/").content.decode()
    assert f'href="/runder/ny/?undersoegelse={KEY}"' in page
    form = as_coordinator.get(f"/runder/ny/?undersoegelse={KEY}").content.decode()
    assert f'<option value="{survey.pk}" selected>' in form


def test_a_new_item_form_is_empty_and_says_nothing_is_missing_yet(draft, as_coordinator):
    page = as_coordinator.get(url("spoergsmaal/ny/")).content.decode()
    assert "Skal udfyldes." not in page and "form-error-message" not in page
    assert f'name="revision" value="{draft.revision}"' in page
    assert '<option value="integer" selected>' in page


def test_a_save_for_an_item_that_moved_meanwhile_overwrites_nothing_and_keeps_the_typing(
    draft, coordinator, as_coordinator
):
    """Coordinator A opens question 1; B moves question 2 up, so another question stands at
    A's place. A's save (even on the current revision, as after a conflict) is refused."""
    page = as_coordinator.get(url("spoergsmaal", 0))
    assert 'name="item_key" id="id_item_key" value="pupils_8_9"' in page.content.decode()
    moved = builder.move_item(
        survey=draft.survey,
        revision=draft.revision,
        part="questions",
        index=1,
        offset=-1,
        actor=coordinator,
        ip=IP,
    )
    before = moved.content["questions"]
    data = question_data(moved, label_da="A's nye tekst", item_key="pupils_8_9")
    response = as_coordinator.post(url("spoergsmaal", 0), data)
    assert response.status_code == 200
    assert "Et andet element står nu på denne plads" in response.content.decode()
    assert "A&#x27;s nye tekst" in response.content.decode()
    assert fresh().content["questions"] == before


def test_a_save_for_an_item_removed_meanwhile_keeps_the_typing(draft, as_coordinator):
    last = len(draft.content["questions"])
    data = question_data(draft, label_da="Skrevet før det forsvandt", item_key="x")
    response = as_coordinator.post(url("spoergsmaal", last), data)
    assert response.status_code == 200
    assert "Skrevet før det forsvandt" in response.content.decode()
    assert len(fresh().content["questions"]) == last


# A posted "²" (str.isdigit() is true for superscript digits, int() is not) is a stale page or
# no move: a clear answer, never a 500, nothing saved.
SUPERSCRIPT = "²"


@pytest.mark.parametrize(
    "path, extra",
    [
        (url("spoergsmaal", 0), None),
        (url("spoergsmaal", 0, "flyt"), {"direction": "down"}),
        (url("spoergsmaal", 0, "fjern"), {}),
        (url("generelt/"), None),
        (url("udgiv/"), {}),
        (url("kasser/"), {}),
    ],
)
def test_a_superscript_revision_is_refused_as_stale_not_a_crash(
    path, extra, draft, survey, as_coordinator
):
    data = question_data(draft) if extra is None and "spoergsmaal" in path else extra
    if path.endswith("generelt/"):
        data = {"title_da": "Andet navn", "title_en": "Other name"}
    data = {**(data or {}), "revision": SUPERSCRIPT}
    if "spoergsmaal" in path and extra is None:
        data["label_da"] = "Ændret tekst"
    before = fresh()
    response = as_coordinator.post(path, data, follow=True)
    assert response.status_code < 500
    page = response.content.decode()
    assert "Kladden er ændret af" in page or "Indtast et heltal" in page  # said, not a 500
    after = fresh()
    assert after.revision == before.revision
    assert after.content == before.content
    assert Definition.objects.filter(survey=survey).count() == 1  # nothing published


def test_a_superscript_choice_move_moves_nothing_and_is_no_crash(draft, as_coordinator):
    data = {
        "revision": draft.revision,
        "key": "mode",
        "type": "single_choice",
        "label_da": "Form",
        "choice-0-value": "online",
        "choice-0-label_da": "Online",
        "choice-1-value": "physical",
        "choice-1-label_da": "Fysisk",
    }
    as_coordinator.post(url("spoergsmaal/ny/"), data)
    for move in (f"{SUPERSCRIPT}:up", f"1{SUPERSCRIPT}:up", "١:up"):
        data.update({"revision": fresh().revision, "choice_move": move})
        response = as_coordinator.post(url("spoergsmaal", 3), data)
        assert response.status_code < 500
        choices = fresh().content["questions"][3]["choices"]
        assert [c["value"] for c in choices] == ["online", "physical"]


CONFIRM_DA = "1 ændring skal bekræftes, når du udgiver"
CONFIRM_EN = "1 change must be confirmed when you publish"


@pytest.mark.parametrize(
    "language, confirm, error, ready, row_prefix",
    [
        (
            "da",
            CONFIRM_DA,
            "fejl og kan ikke udgives endnu",
            "kan udgives, når du har bekræftet",
            "Skal bekræftes, når du udgiver:",
        ),
        (
            "en",
            CONFIRM_EN,
            "cannot be published yet",
            "can be published once you have confirmed",
            "To be confirmed when you publish:",
        ),
    ],
)
def test_a_changed_choice_meaning_is_said_as_a_confirmation_not_an_error(
    language, confirm, error, ready, row_prefix, coordinator
):
    client = client_for(coordinator)
    client.cookies["django_language"] = language
    survey, index, data, page = _status_form(coordinator)
    client.post(page, {**data, "choice-0-label_da": "Aflyst"}, HTTP_ACCEPT_LANGUAGE=language)
    draft_url = "/undersoegelser/proevehandlinger/kladde/"
    publish = draft_url + "udgiv/"
    # The draft page: the change to confirm, linked to the question; no error; publishable.
    html = client.get(draft_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert confirm in html and error not in html and ready in html
    assert f'href="{page}"' in html.split('id="draft-confirmations"')[1].split("</div>")[0]
    assert f'href="{publish}"' in html
    # The question's row says it too, not as an error.
    row = html.split('data-row="spoergsmaal:status"')[1].split("</tr>")[0]
    assert 'class="form-error"' not in html.split('data-row="spoergsmaal:status"')[1][:20]
    assert row_prefix in row and "form-error-message" not in row
    # The htmx answer to a move replaces the same summary, saying the same.
    revision = DraftVersion.objects.get(survey=survey).revision
    fragment = client.post(
        draft_url + "spoergsmaal/0/flyt/",
        {"revision": revision, "direction": "down"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert "<html" not in fragment and 'id="draft-state"' in fragment
    assert confirm in fragment and error not in fragment and ready in fragment
    # The publish page offers the button with the box to tick.
    html = client.get(publish, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'name="confirm_changed_meaning" value="1" required' in html
    assert 'type="submit"' in html


def test_an_error_beside_a_changed_choice_meaning_is_counted_alone(as_coordinator, coordinator):
    survey, index, data, page = _status_form(coordinator)
    as_coordinator.post(page, {**data, "choice-0-label_da": "Aflyst"})
    draft_ = DraftVersion.objects.get(survey=survey)
    content = {**draft_.content, "title": {"da": "", "en": ""}}
    DraftVersion.objects.filter(pk=draft_.pk).update(content=content)
    html = as_coordinator.get("/undersoegelser/proevehandlinger/kladde/").content.decode()
    assert "Kladden har 1 fejl og kan ikke udgives endnu" in html
    assert CONFIRM_DA in html and "kan udgives" not in html.split("Kladden har 1 fejl")[1]


@pytest.mark.parametrize(
    "language, prefix, error",
    [
        ("da", "Skal bekræftes, når du udgiver:", "Fejl:"),
        ("en", "To be confirmed when you publish:", "Error:"),
    ],
)
def test_the_question_page_says_a_changed_choice_meaning_as_a_warning(
    language, prefix, error, coordinator
):
    client = client_for(coordinator)
    client.cookies["django_language"] = language
    survey, index, data, page = _status_form(coordinator)
    client.post(page, {**data, "choice-0-label_da": "Aflyst"}, HTTP_ACCEPT_LANGUAGE=language)
    html = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    said = "Aflyst"
    # The page's empty "not saved" region (filled by builder.js only when a request fails) is
    # the one role="alert" allowed here.
    html = re.sub(r'<div id="builder-error" role="alert" data-said="[^"]*"></div>', "", html)
    assert 'class="alert alert-error"' not in html and 'role="alert"' not in html
    alert = html.split('class="alert alert-warning" role="status" id="choice-changes"')[1]
    alert = alert.split("</div></div>")[0]
    assert prefix in alert and said in alert
    choices = html.split('id="valgmuligheder"')[1].split("<table")[0]
    assert prefix in choices and said in choices
    assert "form-error-message" not in choices and error not in choices
    assert 'class="form-group form-error" id="valgmuligheder"' not in html
