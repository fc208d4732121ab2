"""Definitions as data: the JSON Schema rejects a malformed definition with the path of the
error; typos in expressions are caught at import; each question type validates its answers."""

import copy
import datetime as dt
import json

import pytest

from submissions.validation import validate
from surveys.definitions import (
    SHIPPED_DIR,
    DefinitionError,
    load_spec,
    read_definition_file,
    validate_definition,
)


def shipped(key="juniormesterlaere"):
    return json.loads((SHIPPED_DIR / f"{key}.json").read_text(encoding="utf-8"))


def test_the_shipped_definitions_are_valid_and_keep_their_public_keys():
    jml = validate_definition(shipped())
    assert jml.question_keys == ["pupils_8_9", "enrolled", "comment"]
    assert [d.key for d in jml.derived] == ["share"]
    ph = validate_definition(shipped("proevehandlinger"))
    assert ph.has_entries and ph.allows_nothing_to_report
    assert ph.question_keys == [
        "title", "theme", "target_groups", "partners", "goal", "activities", "status",
        "start_date", "end_date", "learning", "contact_email",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "change,path",
    [
        (lambda d: d["questions"][1].update(type="integr"), "questions[1].type"),
        (lambda d: d["questions"][0].pop("label"), "questions[0]"),
        (lambda d: d["questions"][0].update(key="Pupils"), "questions[0].key"),
        (lambda d: d["questions"][0].update(colour="red"), "questions[0]"),
        (lambda d: d["rules"][0].update(severity="fatal"), "rules[0].severity"),
        (lambda d: d.update(title="Juniormesterlære"), "title"),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "questions[3].key"),
        (lambda d: d["questions"][0].update(min=10, max=1), "questions[0].min"),
        (
            lambda d: d["questions"][2].update(choices=[{"value": "a", "label": {"da": "A"}}]),
            "questions[2].choices",
        ),
        (
            lambda d: d["rules"][1]["message"].update(da="{shares} af eleverne"),
            "rules[1].message.da",
        ),
    ],
)
def test_a_malformed_definition_is_rejected_with_the_path_of_the_error(change, path):
    content = copy.deepcopy(shipped())
    change(content)
    with pytest.raises(DefinitionError) as exc:
        validate_definition(content)
    assert exc.value.path == path


@pytest.mark.parametrize(
    "where,expression,message",
    [
        ("rules", "enroled <= pupils_8_9", "unknown name 'enroled'"),
        ("rules", "enrolled <= ", "syntax error"),
        ("rules", "enrolled + pupils_8_9", "true or false"),
        ("derived", "enrolled / pupils", "unknown name 'pupils'"),
        ("derived", "enrolled > 1", "must be a number"),
    ],
)
def test_a_typo_in_an_expression_is_caught_at_import(where, expression, message):
    content = copy.deepcopy(shipped())
    content[where][0]["expression"] = expression
    with pytest.raises(DefinitionError, match=message) as exc:
        validate_definition(content)
    assert exc.value.path == f"{where}[0].expression"


def test_a_file_that_is_not_json_says_where(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"key": "x",\n "title": }', encoding="utf-8")
    with pytest.raises(DefinitionError, match="line 2"):
        read_definition_file(bad)


ALL_TYPES = {
    "key": "all_types",
    "title": {"da": "Alle typer"},
    "questions": [
        {"key": "n", "type": "integer", "label": {"da": "N"}, "min": 0, "max": 1000},
        {"key": "d", "type": "decimal", "label": {"da": "D"}},
        {"key": "p", "type": "percentage", "label": {"da": "P"}, "min": 0, "max": 100},
        {"key": "t", "type": "text", "label": {"da": "T"}, "max_length": 5},
        {"key": "lt", "type": "long_text", "label": {"da": "LT"}},
        {"key": "sc", "type": "single_choice", "label": {"da": "SC"},
         "choices": [{"value": "a", "label": {"da": "A"}}, {"value": "b", "label": {"da": "B"}}]},
        {"key": "mc", "type": "multiple_choice", "label": {"da": "MC"},
         "choices": [{"value": "a", "label": {"da": "A"}}, {"value": "b", "label": {"da": "B"}}]},
        {"key": "dt", "type": "date", "label": {"da": "DT"}},
        {"key": "yn", "type": "yes_no", "label": {"da": "YN"}, "required": True},
        {"key": "em", "type": "email", "label": {"da": "EM"}},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def all_types():
    return validate_definition(ALL_TYPES)


@pytest.mark.parametrize(
    "key,raw,expected",
    [
        ("n", " 1 000 ", 1000),
        ("n", "+7", 7),
        ("d", "12,5", 12.5),
        ("d", "0.25", 0.25),
        ("p", "45 %", 45.0),
        ("t", " abc ", "abc"),
        ("lt", "linje 1\nlinje 2", "linje 1\nlinje 2"),
        ("sc", "b", "b"),
        ("mc", ["b", "a"], ["a", "b"]),
        ("dt", "12-03-2026", "2026-03-12"),
        ("dt", "2026-03-12", "2026-03-12"),
        ("yn", "ja", True),
        ("yn", "no", False),
        ("em", "Anne@Kommune.DK", "anne@kommune.dk"),
    ],
)
def test_each_question_type_accepts_what_an_officer_types(all_types, key, raw, expected):
    result = validate(all_types, {"yn": "yes", key: raw})
    assert not [f for f in result.errors if f["field"] == key]
    assert result.answers[key] == expected


@pytest.mark.parametrize(
    "key,raw,code",
    [
        ("n", "1001", "max"),
        ("n", "-1", "negative"),
        ("n", "1e3", "not_integer"),
        ("n", "9" * 25, "too_large"),
        ("d", "12,5,1", "not_number"),
        ("d", "NaN", "not_number"),
        ("d", "inf", "not_number"),
        ("p", "101", "max"),
        ("t", "abcdef", "max_length"),
        ("t", "a\x1bb", "control_chars"),
        ("sc", "c", "bad_choice"),
        ("mc", ["a", "zzz"], "bad_choice"),
        ("dt", "30-02-2026", "bad_date"),
        ("dt", "i morgen", "bad_date"),
        ("yn", "måske", "bad_yes_no"),
        ("yn", "", "required"),
        ("em", "ikke@", "bad_email"),
    ],
)
def test_each_question_type_explains_bad_input_and_keeps_it(all_types, key, raw, code):
    result = validate(all_types, {"yn": "yes", key: raw})
    errors = [f for f in result.errors if f["field"] == key]
    assert [e["code"] for e in errors] == [code]
    assert errors[0]["message"]["da"] and errors[0]["message"]["en"]
    assert result.answers[key] not in (None, "") or code == "required"


@pytest.mark.parametrize(
    "key,raw,code",
    [
        ("sc", "a\x00b", "bad_choice"),
        ("mc", ["a", "z\x00\ud800"], "bad_choice"),
        ("dt", "12-03\x00-2026", "bad_date"),
        ("yn", "ja\x00", "bad_yes_no"),
        ("n", "1\x002", "not_integer"),
    ],
)
def test_bad_input_is_kept_without_characters_postgresql_json_refuses(all_types, key, raw, code):
    result = validate(all_types, {"yn": "yes", key: raw})
    [error] = [f for f in result.errors if f["field"] == key]
    assert error["code"] == code
    stored = json.dumps([result.answers[key], error["message"]])
    assert "\\u0000" not in stored and "\\ud800" not in stored


def test_a_stored_spec_is_the_same_as_the_validated_one():
    content = shipped()
    assert load_spec(content) == validate_definition(content)


def test_dates_compare_in_entry_rules():
    spec = validate_definition(shipped("proevehandlinger"))
    entry = {"title": "T", "theme": "fgu", "goal": "G", "status": "running"}
    ok = validate(
        spec,
        {
            "entries": [
                {
                    **entry,
                    "theme": "early_action",
                    "start_date": "01-01-2026",
                    "end_date": "01-02-2026",
                }
            ]
        },
    )
    assert ok.errors == []
    bad = validate(
        spec,
        {
            "entries": [
                {
                    **entry,
                    "theme": "early_action",
                    "start_date": "01-03-2026",
                    "end_date": "01-02-2026",
                }
            ]
        },
    )
    assert [(f["key"], f["entry"]) for f in bad.errors] == [("end_after_start", 0)]
    assert dt.date.fromisoformat(bad.answers["entries"][0]["end_date"])


def test_a_survey_title_longer_than_its_name_column_is_refused_at_import():
    # Found by the black-box run: a 4,000-character title passed the schema and PostgreSQL
    # refused it (a 500). The schema now holds the column's limit.
    content = copy.deepcopy(shipped())
    content["title"] = {"da": "x" * 201, "en": "y"}
    with pytest.raises(DefinitionError) as refused:
        validate_definition(content)
    assert refused.value.path.startswith("title")


@pytest.mark.parametrize("key", ["entries", "in", "true", "while"])
def test_a_reserved_word_is_no_question_or_derived_key(key):
    d = shipped()
    d["questions"][2]["key"] = key
    with pytest.raises(DefinitionError) as exc:
        validate_definition(d)
    assert exc.value.path == "questions[2].key" and "reserved word" in str(exc.value)
    d = shipped()
    d["derived"][0]["key"] = key
    with pytest.raises(DefinitionError) as exc:
        validate_definition(d)
    assert exc.value.path == "derived[0].key"


def test_a_danish_text_of_only_spaces_is_refused():
    d = shipped()
    d["questions"][0]["label"]["da"] = "   "
    with pytest.raises(DefinitionError) as exc:
        validate_definition(d)
    assert exc.value.path == "questions[0].label.da"
