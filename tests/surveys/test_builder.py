"""The builder's services (surveys.builder): drafts are copies, saved even when invalid, checked
at their fields with the import's own check, never overwritten by a stale edit, and published
as the next version while rounds keep theirs."""

import copy

import pytest

from accounts.models import AuditEvent, Role
from surveys import builder
from surveys.definitions import validate_definition
from surveys.models import Definition, DraftVersion
from tests.factories import make_round, make_user, shipped_definition

IP = "127.0.0.1"


@pytest.fixture
def survey(db):
    return shipped_definition().survey


@pytest.fixture
def draft(survey, coordinator):
    return builder.open_draft(survey=survey, actor=coordinator, ip=IP)


def test_a_draft_is_a_copy_of_the_newest_version_and_opening_twice_keeps_it(
    survey, draft, coordinator
):
    current = survey.current_definition()
    assert draft.content == current.content and draft.based_on == current
    builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=2,
        item={"key": "comment", "type": "text", "label": {"da": "Note"}},
        actor=coordinator,
        ip=IP,
    )
    again = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    assert again.pk == draft.pk and again.content["questions"][2]["label"] == {"da": "Note"}
    assert current.content["questions"][2]["label"]["da"] == "Bemærkning"  # unchanged
    assert AuditEvent.objects.filter(action="draft.opened").count() == 1


def test_every_save_is_audited_and_counts_the_revision(survey, draft, coordinator):
    saved = builder.move_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=0,
        offset=1,
        actor=coordinator,
        ip=IP,
    )
    assert saved.revision == draft.revision + 1
    assert [q["key"] for q in saved.content["questions"]][:2] == ["enrolled", "pupils_8_9"]
    event = AuditEvent.objects.get(action="draft.saved")
    assert event.actor == coordinator and event.detail["key"] == "juniormesterlaere"


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(survey, draft, coordinator):
    other = make_user(Role.COORDINATOR, email="other@indberet.dk")
    label = {"da": "Antal elever (Karins tekst)"}
    item = {**draft.content["questions"][0], "label": label}
    builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=0,
        item=item,
        actor=coordinator,
        ip=IP,
    )
    with pytest.raises(builder.BuilderError) as exc:
        builder.put_item(
            survey=survey,
            revision=draft.revision,  # the revision the other coordinator opened
            part="questions",
            index=0,
            item={**item, "label": {"da": "Ole's tekst"}},
            actor=other,
            ip=IP,
        )
    assert exc.value.code == "stale"
    assert exc.value.draft.content["questions"][0]["label"] == label
    assert DraftVersion.objects.get().content["questions"][0]["label"] == label


def test_an_invalid_draft_is_saved_with_the_message_at_the_field_but_not_published(
    survey, draft, coordinator
):
    rule = {**draft.content["rules"][0], "expression": "enroled <= pupils_8_9"}
    saved = builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="rules",
        index=0,
        item=rule,
        actor=coordinator,
        ip=IP,
    )
    assert saved.content["rules"][0]["expression"] == "enroled <= pupils_8_9"
    problems = builder.draft_problems(saved.content, survey=survey)
    assert [(p.path, p.message) for p in problems] == [
        ("rules[0].expression", "Ukendt navn »enroled«.")
    ]
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(survey=survey, revision=saved.revision, actor=coordinator, ip=IP)
    assert exc.value.problems[0].path == "rules[0].expression"
    assert survey.definitions.count() == 1


def test_problems_are_reported_everywhere_at_once_not_only_the_first(survey, draft):
    content = copy.deepcopy(draft.content)
    content["questions"][0]["label"] = {"da": "   ".strip()}
    content["questions"][1]["key"] = "pupils_8_9"  # duplicate
    content["derived"][0]["expression"] = "pupils / 2"
    content["indicators"][0]["numerator"] = "comment"
    paths = {p.path for p in builder.draft_problems(content)}
    assert "questions[0].label.da" in paths  # schema: reported alone until the shape is right
    content["questions"][0]["label"] = {"da": "Elever"}
    found = {p.path: p.message for p in builder.draft_problems(content)}
    assert found["questions[1].key"] == (
        "Nøglen »pupils_8_9« bruges af et andet spørgsmål. Den bruges også af spørgsmål 1."
    )
    assert found["derived[0].expression"] == "Ukendt navn »pupils«."
    assert found["indicators[0].numerator"] == "»comment« er ikke et talspørgsmål."


def test_valid_exactly_when_the_import_check_passes(survey, draft):
    assert builder.draft_problems(draft.content, survey=survey) == []
    validate_definition(draft.content)


def test_reserved_keys_and_circular_derived_values_are_refused_at_their_field(draft):
    content = copy.deepcopy(draft.content)
    content["questions"].append({"key": "entries", "type": "integer", "label": {"da": "x"}})
    content["derived"] += [
        {"key": "a", "expression": "b + 1", "label": {"da": "A"}},
        {"key": "b", "expression": "a + 1", "label": {"da": "B"}},
    ]
    found = {p.path: p.message for p in builder.draft_problems(content)}
    assert "reserveret" in found["questions[3].key"]
    assert found["derived[1].expression"] == (
        "Afledte værdier, der bygger på hinanden i ring: a → b → a."
    )
    assert "b → a → b" in found["derived[2].expression"]


def test_removing_a_question_still_in_use_is_refused_naming_the_users(survey, draft, coordinator):
    with pytest.raises(builder.BuilderError) as exc:
        builder.remove_item(
            survey=survey,
            revision=draft.revision,
            part="questions",
            index=1,  # enrolled
            actor=coordinator,
            ip=IP,
        )
    message = exc.value.problems[0].message
    for user in ("den afledte værdi share", "reglen enrolled_le_pupils", "indikatoren share"):
        assert user in message
    assert exc.value.problems[0].path == "questions[1]"
    # Not used: removed.
    saved = builder.remove_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=2,
        actor=coordinator,
        ip=IP,
    )
    assert [q["key"] for q in saved.content["questions"]] == ["pupils_8_9", "enrolled"]


def test_renaming_a_used_key_is_refused(survey, draft, coordinator):
    item = {**draft.content["questions"][0], "key": "pupils"}
    with pytest.raises(builder.BuilderError) as exc:
        builder.put_item(
            survey=survey,
            revision=draft.revision,
            part="questions",
            index=0,
            item=item,
            actor=coordinator,
            ip=IP,
        )
    assert "historikkontrollen pupils_8_9_change" in exc.value.problems[0].message


def test_publish_creates_the_next_version_and_rounds_keep_theirs(survey, draft, coordinator):
    round_ = make_round(slug="feb")
    v1 = round_.definition
    item = {
        "key": "schools",
        "type": "integer",
        "label": {"da": "Skoler", "en": "Schools"},
        "min": 0,
    }
    saved = builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=None,
        item=item,
        actor=coordinator,
        ip=IP,
    )
    definition = builder.publish_draft(
        survey=survey, revision=saved.revision, actor=coordinator, ip=IP
    )
    assert definition.version == 2 and definition.content["questions"][-1] == item
    round_.refresh_from_db()
    assert round_.definition == v1 and v1.content == Definition.objects.get(pk=v1.pk).content
    assert not DraftVersion.objects.exists()
    event = AuditEvent.objects.get(action="definition.published")
    assert event.detail == {"key": "juniormesterlaere", "version": 2}
    # The published version passed the import's check.
    validate_definition(definition.content)


def test_the_second_of_two_publishers_is_refused(survey, draft, coordinator):
    builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="rules",
        index=None,
        item={
            "key": "few",
            "expression": "enrolled >= 0",
            "severity": "warning",
            "message": {"da": "x"},
        },
        actor=coordinator,
        ip=IP,
    )
    builder.publish_draft(survey=survey, revision=draft.revision + 1, actor=coordinator, ip=IP)
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(survey=survey, revision=draft.revision + 1, actor=coordinator, ip=IP)
    assert exc.value.code == "missing"
    assert survey.definitions.count() == 2


def test_an_unchanged_draft_is_not_published(survey, draft, coordinator):
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(survey=survey, revision=draft.revision, actor=coordinator, ip=IP)
    assert exc.value.code == "state"


def test_the_diff_in_words(survey, draft):
    old = survey.current_definition().content
    new = copy.deepcopy(old)
    new["questions"].append({"key": "schools", "type": "integer", "label": {"da": "Skoler"}})
    new["questions"][0]["label"] = {"da": "Elever i alt"}
    new["questions"][0]["required"] = False
    del new["rules"][1]
    new["indicators"][0]["target"] = 0.1
    new["questions"][0], new["questions"][1] = new["questions"][1], new["questions"][0]
    changes = builder.describe_changes(old, new, language="da")
    assert "Spørgsmålet schools (»Skoler«) tilføjes." in changes
    assert "Spørgsmålet pupils_8_9 ændres: tekst, skal udfyldes." in changes
    assert any(c.startswith("Reglen share_high (»") and c.endswith("fjernes.") for c in changes)
    assert "Indikatoren share ændres: mål." in changes
    assert "Rækkefølgen af spørgsmålene ændres." in changes


def test_a_relabelled_choice_is_said_in_words():
    q = {
        "key": "status",
        "type": "single_choice",
        "label": {"da": "Status"},
        "choices": [{"value": "done", "label": {"da": "Afsluttet"}}],
    }
    old = {"title": {"da": "T"}, "questions": [q]}
    new = copy.deepcopy(old)
    new["questions"][0]["choices"][0]["label"] = {"da": "Opgivet"}
    new["questions"][0]["choices"].append({"value": "new", "label": {"da": "Ny"}})
    changes = builder.describe_changes(old, new, language="da")
    assert any("valgmuligheden done hed »Afsluttet« og hedder nu »Opgivet«" in c for c in changes)
    assert "Spørgsmålet status får valgmuligheden »Ny« (new)." in changes


def test_create_survey_starts_an_invalid_draft_that_becomes_version_1(coordinator, db):
    draft = builder.create_survey(
        key="erhvervsskoler", title_da="Erhvervsskoler", title_en="", actor=coordinator, ip=IP
    )
    problems = builder.draft_problems(draft.content, survey=draft.survey)
    assert [p.path for p in problems] == ["questions"]
    with pytest.raises(builder.BuilderError) as exc:
        builder.create_survey(key="erhvervsskoler", title_da="x", actor=coordinator, ip=IP)
    assert exc.value.problems[0].path == "key"
    saved = builder.put_item(
        survey=draft.survey,
        revision=draft.revision,
        part="questions",
        index=None,
        item={"key": "pupils", "type": "integer", "label": {"da": "Elever", "en": ""}},
        actor=coordinator,
        ip=IP,
    )
    assert saved.content["questions"] == [
        {"key": "pupils", "type": "integer", "label": {"da": "Elever"}}
    ]
    definition = builder.publish_draft(
        survey=draft.survey, revision=saved.revision, actor=coordinator, ip=IP
    )
    assert definition.version == 1 and definition.survey.name == "Erhvervsskoler"
    assert AuditEvent.objects.filter(action="survey.created").count() == 1


def test_replacing_the_whole_draft_keeps_the_key_and_refuses_wrong_types(
    survey, draft, coordinator
):
    content = copy.deepcopy(draft.content)
    content["key"] = "other"
    content["questions"][0]["label"] = "not an object"
    content["rules"] = {"not": "a list"}
    with pytest.raises(builder.BuilderError) as exc:
        builder.replace_draft_content(
            survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
        )
    assert {p.path for p in exc.value.problems} == {"questions[0].label", "rules"}
    content = copy.deepcopy(draft.content)
    content["key"] = "other"
    content["questions"][0]["label"] = {"da": ""}  # invalid, but of the right type: stored
    saved = builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
    )
    assert saved.content["key"] == "juniormesterlaere"
    assert [p.path for p in builder.draft_problems(saved.content)] == ["questions[0].label.da"]


def test_an_entries_survey_is_previewed_as_one_entry(coordinator, as_coordinator):
    survey = shipped_definition("proevehandlinger").survey
    builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    page = "/undersoegelser/proevehandlinger/kladde/forhaandsvisning/"
    assert 'name="q-title"' in as_coordinator.get(page).content.decode()
    tried = as_coordinator.post(page, {"q-title": "", "q-contact_email": "nope"}).content.decode()
    assert "Skriv en gyldig e-mailadresse." in tried


def test_a_choice_value_brought_back_with_another_meaning_is_said(coordinator, db):
    survey = shipped_definition("proevehandlinger").survey
    v1 = survey.current_definition().content
    status = next(q for q in v1["questions"] if q["key"] == "status")
    first = status["choices"][0]
    draft = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    content = copy.deepcopy(draft.content)
    q = next(q for q in content["questions"] if q["key"] == "status")
    q["choices"] = q["choices"][1:]  # v2 drops the first choice …
    saved = builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
    )
    builder.publish_draft(survey=survey, revision=saved.revision, actor=coordinator, ip=IP)
    draft = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    content = copy.deepcopy(draft.content)
    q = next(q for q in content["questions"] if q["key"] == "status")
    q["choices"].append({"value": first["value"], "label": {"da": "Noget helt andet"}})
    said = builder.reused_choice_values(survey, content, language="da")
    assert len(said) == 1 and f"værdien {first['value']} betød »{first['label']['da']}«" in said[0]
    q["choices"][-1]["label"] = first["label"]  # the same meaning back: nothing to say
    assert builder.reused_choice_values(survey, content, language="da") == []


def test_a_section_key_taken_by_a_question_is_said_once_at_the_section(draft):
    content = copy.deepcopy(draft.content)
    content["sections"] = [{"key": "enrolled", "title": {"da": "Tilmeldte"}}]
    for q in content["questions"]:
        q["section"] = "enrolled"
    found = {p.path: p.message for p in builder.draft_problems(content)}
    message = (
        "Nøglen »enrolled« bruges allerede af et spørgsmål eller en afledt værdi. "
        "Den bruges også af spørgsmål 2."
    )
    assert found == {"sections[0].key": message}


def test_a_question_a_show_when_uses_cannot_be_removed(survey, draft, coordinator):
    comment = {**draft.content["questions"][2], "relevant_when": "pupils_8_9 > 100"}
    saved = builder.put_item(
        survey=survey,
        revision=draft.revision,
        part="questions",
        index=2,
        item=comment,
        actor=coordinator,
        ip=IP,
    )
    content = copy.deepcopy(saved.content)
    del content["history_checks"]  # so only the show-when still uses pupils_8_9
    saved = builder.replace_draft_content(
        survey=survey, revision=saved.revision, content=content, actor=coordinator, ip=IP
    )
    with pytest.raises(builder.BuilderError) as exc:
        builder.remove_item(
            survey=survey,
            revision=saved.revision,
            part="questions",
            index=0,
            actor=coordinator,
            ip=IP,
        )
    assert "spørgsmålet comment" in exc.value.problems[0].message


def test_bad_input_an_expensive_expression_and_10000_choices(survey, draft, coordinator):
    content = copy.deepcopy(draft.content)
    content["rules"][0]["expression"] = " + ".join(["enrolled"] * 150) + " > 0"
    content["questions"].append(
        {
            "key": "many",
            "type": "single_choice",
            "label": {"da": "Mange"},
            "choices": [{"value": f"v{i}", "label": {"da": f"V {i}"}} for i in range(10000)],
        }
    )
    saved = builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
    )
    found = {p.path: p.message for p in builder.draft_problems(saved.content)}
    assert found == {"questions[3].choices": "Højst 100."}  # the shape first
    saved.content["questions"][3]["choices"] = saved.content["questions"][3]["choices"][:3]
    found = {p.path: p.message for p in builder.draft_problems(saved.content)}
    assert found == {"rules[0].expression": "Udtrykket er for indviklet: 301 dele, højst 200."}


def test_a_large_draft_with_many_problems_is_checked_within_a_budget(monkeypatch):
    monkeypatch.setattr(builder, "CHECK_BUDGET_SECONDS", 0)
    questions = [
        {"key": f"q{i}", "type": "integer", "label": {"da": "x"}, "required_when": f"nope{i} > 1"}
        for i in range(5)
    ]
    problems = builder.draft_problems({"key": "big", "title": {"da": "B"}, "questions": questions})
    assert [p.path for p in problems] == ["questions[0].required_when", ""]
    assert "Der kan være flere fejl" in problems[-1].message


def test_a_label_of_only_spaces_sent_whole_is_said_at_the_field(survey, draft, coordinator):
    content = copy.deepcopy(draft.content)
    content["questions"][0]["label"]["da"] = "   "
    saved = builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
    )
    problems = builder.draft_problems(saved.content)
    assert [(p.path, p.message) for p in problems] == [("questions[0].label.da", "Skal udfyldes.")]


# --- A published choice value keeps its meaning ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("Gennemfort", "Gennemført", True),  # a typo fixed
        ("Planlagt.", "planlagt", True),  # case and punctuation
        ("Tidlig indsats og bedre datagrunlag", "Tidlig indsats og bedre datagrundlag", False),
        ("Planlaggt", "Planlagt", True),  # a doubled letter
        ("Gennemfrøt", "Gennemført", True),  # two neighbours swapped
        ("Paabegyndt", "Påbegyndt", True),  # aa/å
        ("Maelt", "Mælt", True),  # ae/æ
        ("Café", "Cafe", True),
        ("Mand", "Mund", False),  # another vowel is another word
        ("Juni", "Juli", False),
        ("Lille", "Lilla", False),
        ("Lærer", "Læser", False),
        ("Fast", "Fest", False),
        ("Tidligere", "Tidligste", False),
        ("Værre", "Være", False),  # a doubled letter in a short word
        ("Under 12", "Under 21", False),  # numbers swapped
        ({"da": "I gang", "en": "Running"}, {"da": "I gang", "en": "Ongoing"}, True),  # English
        ("Enig", "Uenig", False),  # the first letter: a negation
        ("Ja", "Nej", False),
        ("Under 10", "Under 20", False),  # a number
        ("Planlagt", "Aflyst", False),
        ("Mere end halvdelen", "Mindre end halvdelen", False),
        ("Gennemført", "Gennemført delvis", False),  # a word more
    ],
)
def test_what_keeps_a_choice_meaning(old, new, same):
    assert builder.same_meaning(old, new) is same


@pytest.fixture
def status_draft(coordinator):
    """A draft of proevehandlinger (published version 1); `status` is a choice question."""
    survey = shipped_definition("proevehandlinger").survey
    draft = builder.open_draft(survey=survey, actor=coordinator, ip=IP)
    index = next(i for i, q in enumerate(draft.content["questions"]) if q["key"] == "status")
    return survey, draft, index


def _replace(survey, draft, content, coordinator):
    return builder.replace_draft_content(
        survey=survey, revision=draft.revision, content=content, actor=coordinator, ip=IP
    )


def test_a_published_choice_given_another_meaning_is_reported_at_the_choice(
    status_draft, coordinator
):
    survey, draft, i = status_draft
    content = copy.deepcopy(draft.content)
    choices = content["questions"][i]["choices"]
    assert (choices[0]["value"], choices[0]["label"]["da"]) == ("planned", "Planlagt")
    choices[0]["label"] = {"da": "Aflyst"}  # planned now means cancelled
    choices[1]["label"] = {"da": "I gang.", "en": "Under way"}  # a spelling-like change
    choices[2]["value"] = "done"  # completed typed over: »Gennemført« moves to a new value
    saved = _replace(survey, draft, content, coordinator)  # a draft may hold it
    problems = builder.draft_problems(saved.content, survey=survey)
    assert [(p.path, p.confirmable) for p in problems] == [
        (f"questions[{i}].choices[0].label.da", True),
        (f"questions[{i}].choices[2].value", True),
    ]
    assert "»Aflyst« giver den en anden betydning" in problems[0].message
    assert "»Gennemført« er udgivet med værdien »completed«" in problems[1].message
    # Not a reason to refuse a preview, an impact run or a download: still a valid definition.
    assert builder.draft_problems(saved.content, survey=survey, blocking_only=True) == []
    said = builder.reused_choice_values(survey, saved.content, language="da")
    assert len(said) == 2 and "værdien planned betød »Planlagt«" in said[0]


def test_publishing_a_changed_meaning_needs_it_confirmed(status_draft, coordinator):
    survey, draft, i = status_draft
    content = copy.deepcopy(draft.content)
    content["questions"][i]["choices"][0]["label"] = {"da": "Aflyst"}
    saved = _replace(survey, draft, content, coordinator)
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(survey=survey, revision=saved.revision, actor=coordinator, ip=IP)
    assert exc.value.code == "changed_meaning"
    assert [p.path for p in exc.value.problems] == [f"questions[{i}].choices[0].label.da"]
    assert survey.definitions.count() == 1
    definition = builder.publish_draft(
        survey=survey,
        revision=saved.revision,
        actor=coordinator,
        ip=IP,
        confirm_changed_meaning=True,
    )
    assert definition.version == 2
    assert definition.content["questions"][i]["choices"][0]["label"] == {"da": "Aflyst"}
    event = AuditEvent.objects.get(action="definition.published")
    assert event.detail["changed_meaning"] == [f"questions[{i}].choices[0].label.da"]


def test_a_confirmation_does_not_let_an_error_through(status_draft, coordinator):
    survey, draft, i = status_draft
    content = copy.deepcopy(draft.content)
    content["questions"][i]["choices"][0]["label"] = {"da": "Aflyst"}
    content["questions"][i]["label"] = {"da": ""}
    saved = _replace(survey, draft, content, coordinator)
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(
            survey=survey,
            revision=saved.revision,
            actor=coordinator,
            ip=IP,
            confirm_changed_meaning=True,
        )
    assert exc.value.code == "invalid"
    assert [p.path for p in exc.value.problems] == [f"questions[{i}].label.da"]
    assert survey.definitions.count() == 1


def test_a_spelling_fix_of_a_published_choice_publishes_without_confirmation(
    status_draft, coordinator
):
    survey, draft, i = status_draft
    content = copy.deepcopy(draft.content)
    content["questions"][i]["choices"][2]["label"] = {"da": "Gennemført.", "en": "Done"}
    saved = _replace(survey, draft, content, coordinator)
    assert builder.draft_problems(saved.content, survey=survey) == []
    definition = builder.publish_draft(
        survey=survey, revision=saved.revision, actor=coordinator, ip=IP
    )
    assert definition.version == 2


def test_an_error_at_a_changed_meanings_field_is_reported_and_refuses_the_publish(
    status_draft, coordinator
):
    """A value that is both invalid and over a published one: the error is not hidden behind
    the confirmable problem, and a confirmed publish is refused with it in Danish."""
    survey, draft, i = status_draft
    content = copy.deepcopy(draft.content)
    content["questions"][i]["choices"][0]["value"] = "not valid!"
    saved = _replace(survey, draft, content, coordinator)
    path = f"questions[{i}].choices[0].value"
    problems = builder.draft_problems(saved.content, survey=survey)
    assert [(p.path, p.confirmable) for p in problems if p.path == path] == [
        (path, False),
        (path, True),
    ]
    with pytest.raises(builder.BuilderError) as exc:
        builder.publish_draft(
            survey=survey,
            revision=saved.revision,
            actor=coordinator,
            ip=IP,
            confirm_changed_meaning=True,
        )
    assert exc.value.code == "invalid"
    assert [p.path for p in exc.value.problems] == [path]
    assert "does not match" not in exc.value.problems[0].message
    assert survey.definitions.count() == 1
