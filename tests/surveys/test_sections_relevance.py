"""Sections and show-when (`relevant_when`) in the definition format: what import accepts and
refuses, and which questions a set of answers hides."""

import copy
import json

import pytest

from surveys.definitions import SHIPPED_DIR, DefinitionError, validate_definition
from surveys.relevance import hidden_questions
from surveys.rules import MAX_DEFINITION_COST
from tests.surveys.sectioned import sectioned


def shipped(key):
    return json.loads((SHIPPED_DIR / f"{key}.json").read_text(encoding="utf-8"))


def refused(content):
    with pytest.raises(DefinitionError) as exc:
        validate_definition(content)
    return exc.value


def test_a_definition_with_sections_and_show_when_is_valid():
    spec = validate_definition(sectioned())
    assert [s.key for s in spec.sections] == ["staff", "agreements_part"]
    assert spec.question("agreements").section == "agreements_part"
    assert spec.question("agreements_note").relevant_when == "agreements > 10"
    groups = [(s.key if s else None, [q.key for q in qs]) for s, qs in spec.groups()]
    assert groups == [
        ("staff", ["pupils", "has_agreements"]),
        ("agreements_part", ["agreements", "agreements_note"]),
        (None, ["comment"]),
    ]


@pytest.mark.parametrize("key", ["juniormesterlaere", "proevehandlinger"])
def test_definitions_without_sections_are_one_group_without_heading(key):
    spec = validate_definition(shipped(key))
    assert spec.sections == () and not spec.has_relevance
    assert [(s, [q.key for q in qs]) for s, qs in spec.groups()] == [(None, spec.question_keys)]


@pytest.mark.parametrize(
    "change,path,words",
    [
        (lambda d: d["questions"][0].update(section="nope"), "questions[0].section", "nope"),
        (
            lambda d: d["sections"].append(dict(d["sections"][0])),
            "sections[2].key",
            "duplicate section key 'staff'",
        ),
        (lambda d: d["sections"][0].update(key="pupils"), "sections[0].key", "'pupils'"),
        (lambda d: d["sections"][0].update(key="per_pupil"), "sections[0].key", "'per_pupil'"),
        (  # staff, agreements_part, staff again: not one after another
            lambda d: d["questions"][4].update(section="staff"),
            "questions[4].section",
            "one after another",
        ),
        (lambda d: d["sections"].reverse(), "sections[0]", "order"),
        (
            lambda d: d["sections"].append({"key": "empty", "title": {"da": "Tom"}}),
            "sections[2]",
            "has no questions",
        ),
        (lambda d: d["sections"][0].pop("title"), "sections[0]", "title"),
        (lambda d: d["sections"][0].update(colour="red"), "sections[0]", "colour"),
        (
            lambda d: d["questions"][3].update(relevant_when="agreement > 10"),
            "questions[3].relevant_when",
            "unknown name 'agreement'",
        ),
        (
            lambda d: d["sections"][1].update(relevant_when="pupils + 1"),
            "sections[1].relevant_when",
            "true or false",
        ),
        (
            lambda d: d["questions"][3].update(relevant_when="agreements > 'x'"),
            "questions[3].relevant_when",
            "types",
        ),
        (
            lambda d: d["questions"][3].update(relevant_when="agreements >"),
            "questions[3].relevant_when",
            "syntax error",
        ),
    ],
)
def test_a_malformed_section_or_show_when_is_refused_where_it_is(change, path, words):
    content = sectioned()
    change(content)
    error = refused(content)
    assert error.path == path
    assert words in str(error)


def test_a_circle_through_two_questions_is_refused_with_both_names():
    content = sectioned()
    content["questions"][1]["relevant_when"] = "agreements > 0"  # has_agreements ↔ section
    error = refused(content)
    assert error.path == "questions[1].relevant_when"
    assert "show-when depends on itself: has_agreements → agreements → has_agreements" in str(error)


def test_a_circle_through_a_derived_value_is_refused():
    content = sectioned()
    content["questions"][0]["relevant_when"] = "per_pupil < 1"  # per_pupil reads pupils
    error = refused(content)
    assert error.path == "questions[0].relevant_when"
    assert "pupils → per_pupil → pupils" in str(error)


def test_a_section_whose_show_when_reads_its_own_question_is_refused():
    content = sectioned()
    content["sections"][1]["relevant_when"] = "agreements > 0"
    error = refused(content)
    assert error.path == "sections[1].relevant_when"
    assert "agreements → agreements" in str(error)


def test_show_when_counts_towards_the_cost_bound():
    content = sectioned()
    expensive = " && ".join(["pupils > 1"] * 45)  # within one expression's bounds
    content["questions"] = [
        {**q, "relevant_when": expensive} if i > 0 and "section" not in q else q
        for i, q in enumerate(content["questions"])
    ]
    content["questions"] += [
        {"key": f"q{i}", "type": "integer", "label": {"da": "x"}, "relevant_when": expensive}
        for i in range(60)
    ]
    error = refused(content)
    assert error.path.endswith(".relevant_when")
    assert f"at most {MAX_DEFINITION_COST}" in str(error)


def test_in_a_survey_with_entries_show_when_reads_the_entrys_questions():
    content = shipped("proevehandlinger")
    content["questions"][-2]["relevant_when"] = "size(status) > 0"
    validate_definition(content)
    content["questions"][-2]["relevant_when"] = "size(entries) > 0"
    assert "unknown name 'entries'" in str(refused(content))


def answers_hide(values, invalid=frozenset()):
    return hidden_questions(validate_definition(sectioned()), values, invalid=invalid)


def test_blank_answers_hide_what_depends_on_them():
    assert answers_hide({}) == {"agreements", "agreements_note"}
    assert answers_hide({"has_agreements": False}) == {"agreements", "agreements_note"}


def test_a_section_shows_when_its_condition_holds_and_a_question_needs_its_own_too():
    assert answers_hide({"has_agreements": True}) == {"agreements_note"}
    assert answers_hide({"has_agreements": True, "agreements": 11}) == set()


def test_a_value_in_a_hidden_question_is_absent_for_what_depends_on_it():
    # agreements is typed, but its section is hidden: agreements_note does not see it.
    assert answers_hide({"has_agreements": False, "agreements": 11}) == {
        "agreements",
        "agreements_note",
    }


def test_an_invalid_answer_a_show_when_needs_keeps_the_question_shown():
    assert "agreements_note" not in answers_hide({"has_agreements": True}, {"agreements"})


def test_the_schema_keeps_refusing_unknown_fields_on_questions():
    content = copy.deepcopy(sectioned())
    content["questions"][0]["relevant"] = "x"
    assert refused(content).path == "questions[0]"


def test_import_definition_refuses_a_circle_naming_the_file_path_and_questions(tmp_path, db):
    from django.core.management import CommandError, call_command

    from surveys.models import Definition

    content = sectioned()
    content["questions"][1]["relevant_when"] = "agreements > 0"
    path = tmp_path / "circle.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(
        CommandError,
        match=r"circle.json: questions\[1\].relevant_when: show-when depends on itself: "
        r"has_agreements → agreements → has_agreements",
    ):
        call_command("import_definition", str(path))
    assert not Definition.objects.filter(survey__key="udsatte_elever").exists()


def test_a_definition_with_sections_round_trips_through_import_and_export(tmp_path, db):
    from django.core.management import call_command

    path = tmp_path / "sectioned.json"
    path.write_text(json.dumps(sectioned()), encoding="utf-8")
    call_command("import_definition", str(path))
    out = tmp_path / "out.json"
    call_command("export_definition", "udsatte_elever", "--out", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert {k: v for k, v in exported.items() if k != "version"} == sectioned()
