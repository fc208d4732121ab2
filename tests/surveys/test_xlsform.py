"""XLSForm download and upload (surveys.xlsform): the round trip, the mapping of a form written
by someone else, and every refusal with its sheet and row."""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from surveys.definitions import SHIPPED_DIR, SHIPPED_KEYS, read_definition_file
from surveys.xlsform import (
    MAX_FILE_BYTES,
    XLSFormError,
    definition_to_xlsform,
    xlsform_to_definition,
)
from surveys.xlsform_expressions import Untranslatable, cel_to_xpath, xpath_to_cel
from tests.surveys.sectioned import sectioned

HEAD = ["type", "name", "label::Dansk (da)", "label::English (en)"]
SETTINGS = [["form_title", "form_id"], ["Skoler", "skoler"]]


def xlsx(sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data, **kwargs):
    with pytest.raises(XLSFormError) as exc:
        xlsform_to_definition(data, **kwargs)
    return exc.value.problems


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_shipped_definitions_round_trip_identical(key):
    content = read_definition_file(SHIPPED_DIR / f"{key}.json")
    assert xlsform_to_definition(definition_to_xlsform(content, version=1)) == content


def test_sections_show_when_and_expressions_round_trip_identical():
    content = sectioned()
    content["questions"][1]["relevant_when"] = "pupils > 0 && !(pupils == 3)"
    content["questions"][4]["required_when"] = "size(comment) > 0 || agreements >= 2"
    content["rules"].append(
        {
            "key": "many",
            "severity": "warning",
            "expression": "entries_ok || per_pupil <= 0.5",
            "message": {"da": "{per_pupil} aftaler pr. elev."},
        }
    )
    content["questions"][4].pop("label")
    content["questions"][4]["label"] = {"da": "Kun dansk"}
    with pytest.raises(XLSFormError):  # entries_ok is unknown: the definition is invalid
        xlsform_to_definition(definition_to_xlsform(content))
    content["rules"][-1]["expression"] = "agreements == 0 || per_pupil <= 0.5"
    assert xlsform_to_definition(definition_to_xlsform(content)) == content


def test_download_is_xlsform_that_odk_tools_read():
    content = sectioned()
    book = openpyxl.load_workbook(io.BytesIO(definition_to_xlsform(content, version=4)))
    assert book.sheetnames[:3] == ["survey", "choices", "settings"]
    survey = [[c.value for c in row] for row in book["survey"].iter_rows()]
    header = survey[0]
    rows = [dict(zip(header, row, strict=True)) for row in survey[1:]]
    assert rows[0]["type"] == "begin_group" and rows[0]["name"] == "staff"
    assert rows[1]["type"] == "note"  # the section's description
    # A yes/no question is "yes"/"no" text in ODK: a comparison with true stays CEL, ours.
    group = next(r for r in rows if r["name"] == "agreements_part")
    assert group["relevant"] is None
    assert group["indberet::relevant_when"] == "has_agreements == true"
    note = next(r for r in rows if r["name"] == "agreements_note")
    assert note["relevant"] == "${agreements} > 10"
    calc = next(r for r in rows if r["type"] == "calculate")
    assert calc["calculation"] == "${agreements} div ${pupils}"
    settings = [[c.value for c in row] for row in book["settings"].iter_rows()]
    assert dict(zip(*settings, strict=True))["version"] == "4"


def test_a_form_written_elsewhere_maps_to_a_definition():
    data = xlsx(
        {
            "survey": [
                [
                    *HEAD,
                    "hint::Dansk (da)",
                    "required",
                    "relevant",
                    "constraint",
                    "constraint_message::Dansk (da)",
                    "calculation",
                    "appearance",
                ],
                ["begin_group", "elever", "Elever", "Pupils"],
                ["note", "intro", "Tal for skoleåret", "Figures for the year"],
                [
                    "integer",
                    "pupils",
                    "Elever",
                    "Pupils",
                    "I alt",
                    "yes",
                    None,
                    ". >= 0",
                    "Må ikke være negativ",
                ],
                ["decimal", "fte", "Årsværk", "FTE", None, "no"],
                ["end_group"],
                ["select_one yn", "agreements_made", "Aftaler?", "Agreements?", None, "yes"],
                [
                    "select_multiple parts",
                    "parts",
                    "Parter",
                    "Parties",
                    None,
                    None,
                    "${agreements_made} = 'yes'",
                ],
                [
                    "text",
                    "why",
                    "Hvorfor?",
                    "Why?",
                    None,
                    "${fte} > 2",
                    None,
                    None,
                    None,
                    None,
                    "multiline",
                ],
                ["date", "start", "Start", "Start"],
                [
                    "calculate",
                    "fte_per_pupil",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "${fte} div ${pupils}",
                ],
            ],
            "choices": [
                ["list_name", "name", "label::Dansk (da)", "label::English (en)"],
                ["yn", "yes", "Ja", "Yes"],
                ["yn", "no", "Nej", "No"],
                ["parts", "school", "Skole", "School"],
                ["parts", "employer", "Arbejdsgiver", "Employer"],
            ],
            "settings": SETTINGS,
        }
    )
    content = xlsform_to_definition(data)
    assert content["key"] == "skoler" and content["title"] == {"da": "Skoler"}
    assert content["sections"] == [
        {
            "key": "elever",
            "title": {"da": "Elever", "en": "Pupils"},
            "description": {"da": "Tal for skoleåret", "en": "Figures for the year"},
        }
    ]
    q = {q["key"]: q for q in content["questions"]}
    assert q["pupils"] == {
        "key": "pupils",
        "type": "integer",
        "section": "elever",
        "label": {"da": "Elever", "en": "Pupils"},
        "help": {"da": "I alt"},
        "required": True,
    }
    assert q["fte"]["required"] is False and q["fte"]["type"] == "decimal"
    assert q["agreements_made"]["type"] == "single_choice"
    assert q["parts"]["type"] == "multiple_choice"
    assert q["parts"]["relevant_when"] == "agreements_made == 'yes'"
    assert [c["value"] for c in q["parts"]["choices"]] == ["school", "employer"]
    assert q["why"]["type"] == "long_text" and q["why"]["required_when"] == "fte > 2"
    assert q["start"]["type"] == "date"
    assert content["derived"] == [
        {"key": "fte_per_pupil", "expression": "fte / pupils", "label": {"da": "fte_per_pupil"}}
    ]
    assert content["rules"] == [
        {
            "key": "pupils_constraint",
            "expression": "pupils >= 0",
            "severity": "error",
            "fields": ["pupils"],
            "message": {"da": "Må ikke være negativ"},
        }
    ]


def test_a_repeat_around_the_questions_becomes_entries():
    data = xlsx(
        {
            "survey": [
                HEAD,
                ["begin_repeat", "actions", "Handling", "Action"],
                ["text", "title", "Titel", "Title"],
                ["end_repeat"],
            ],
            "settings": SETTINGS,
        }
    )
    content = xlsform_to_definition(data)
    assert content["entries"] == {"label": {"da": "Handling", "en": "Action"}}
    assert content["questions"][0]["key"] == "title"


def problem_text(problems):
    return " | ".join(f"{p.where} {p.message}" for p in problems)


def test_untranslatable_expression_refused_with_row_and_part():
    data = xlsx(
        {
            "survey": [
                [*HEAD, "relevant"],
                ["integer", "a", "A", "A"],
                ["integer", "b", "B", "B", "string-length(${a}) > 2"],
            ],
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert [(p.sheet, p.row) for p in problems] == [("survey", 3)]
    assert "string-length(" in problems[0].message and "relevant" in problems[0].message


def test_unknown_type_refused_with_row():
    data = xlsx(
        {
            "survey": [HEAD, ["integer", "a", "A", "A"], ["geopoint", "where", "Hvor", "Where"]],
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 3)
    assert "geopoint" in problems[0].message


def test_made_up_type_refused_with_its_row():
    data = xlsx({"survey": [HEAD, ["intger", "a", "A", "A"]], "settings": SETTINGS})
    problems = refused(data)
    assert (problems[0].row, "»intger«" in problems[0].message) == (2, True)


def test_duplicate_name_across_groups_refused_naming_both_rows():
    data = xlsx(
        {
            "survey": [
                HEAD,
                ["begin_group", "one", "Et", "One"],
                ["integer", "a", "A", "A"],
                ["end_group"],
                ["begin_group", "two", "To", "Two"],
                ["integer", "a", "A igen", "A again"],
                ["end_group"],
            ],
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 6)
    assert "»a«" in problems[0].message and "3" in problems[0].message


def test_duplicate_name_in_one_group_refused_by_pyxform():
    data = xlsx(
        {
            "survey": [HEAD, ["integer", "a", "A", "A"], ["text", "a", "B", "B"]],
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 3)
    assert "unique" in problems[0].message  # pyxform's own words


@pytest.mark.parametrize(
    ("sheets", "words"),
    [
        ({"settings": SETTINGS}, "survey"),
        ({"survey": [HEAD, ["integer", "a", "A", "A"]]}, "settings"),
        ({"survey": [HEAD, ["select_one x", "a", "A", "A"]], "settings": SETTINGS}, "choices"),
    ],
)
def test_missing_sheet_refused_by_name(sheets, words):
    problems = refused(xlsx(sheets))
    assert f"»{words}«" in str(problems[0])


def test_formula_in_a_cell_refused_with_cell():
    data = xlsx({"survey": [HEAD, ["integer", "a", '=CONCAT("A","B")', "A"]], "settings": SETTINGS})
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 2)
    assert "C2" in problems[0].message


def test_file_over_the_limit_refused_before_reading():
    problems = refused(b"PK" + b"\0" * (50 * 1_000_000))
    assert "for stor" in problems[0].message
    assert MAX_FILE_BYTES < 50_000_000


def test_zip_bomb_refused_before_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 200_000_000)
    assert len(out.getvalue()) < MAX_FILE_BYTES
    assert "pakket ud" in refused(out.getvalue())[0].message


@pytest.mark.parametrize("data", [b"", b"type,name\ninteger,a\n", b"PK\x03\x04 not really a zip"])
def test_not_an_xlsx_refused(data):
    assert refused(data)[0].message


def test_language_other_than_danish_and_english_refused():
    data = xlsx(
        {
            "survey": [["type", "name", "label::Français (fr)"], ["integer", "a", "A"]],
            "settings": SETTINGS,
        }
    )
    assert "fr" in refused(data)[0].message


def test_column_with_no_place_in_a_definition_refused_not_dropped():
    data = xlsx(
        {"survey": [[*HEAD, "default"], ["integer", "a", "A", "A", "3"]], "settings": SETTINGS}
    )
    problems = refused(data)
    assert (problems[0].row, "default" in problems[0].message) == (2, True)


def test_form_id_of_another_survey_refused():
    data = xlsx({"survey": [HEAD, ["integer", "a", "A", "A"]], "settings": SETTINGS})
    problems = refused(data, key="juniormesterlaere")
    assert problems[0].sheet == "settings" and "juniormesterlaere" in problems[0].message


@pytest.mark.parametrize(
    ("column", "expression"), [("relevant", "${nope} > 1"), ("indberet::relevant_when", "nope > 1")]
)
def test_unknown_name_reported_at_its_row(column, expression):
    data = xlsx(
        {
            "survey": [
                [*HEAD, column],
                ["integer", "a", "A", "A"],
                ["integer", "b", "B", "B", expression],
            ],
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 3)
    assert "nope" in problems[0].message


@pytest.mark.parametrize(
    ("xpath", "cel"),
    [
        ("${a} > 2 and not(${b} = 1)", "a > 2 && !(b == 1)"),
        ("${a} div 2 or ${a} mod 2 != 0", "a / 2 || a % 2 != 0"),
        ("count(${entries}) >= 1", "count(entries) >= 1"),
        (". <= 100", "q <= 100"),
        ("true()", "true"),
    ],
)
def test_xpath_translates_one_to_one(xpath, cel):
    assert xpath_to_cel(xpath, current="q") == cel
    assert cel_to_xpath(cel, {"a", "b", "q", "entries"}) in (xpath, xpath.replace(".", "${q}"))


@pytest.mark.parametrize(
    ("xpath", "part"),
    [
        ("selected(${a}, 'x')", "selected("),
        ("/data/a > 1", "/data/a > 1"),
        ("${a} | ${b}", "| ${b}"),
        ("if(${a} > 1, 2, 3)", "if("),
    ],
)
def test_xpath_without_cel_twin_refused_with_part(xpath, part):
    with pytest.raises(Untranslatable) as exc:
        xpath_to_cel(xpath)
    assert exc.value.part == part


def test_refusals_follow_the_interface_language():
    from django.utils import translation

    data = xlsx({"survey": [HEAD, ["geopoint", "where", "Hvor", "Where"]], "settings": SETTINGS})
    with translation.override("en"):
        problems = refused(data)
        assert str(problems[0]).startswith("Sheet “survey”, row 2: The question type “geopoint”")


def test_kobo_bookkeeping_and_display_columns_are_left_alone():
    data = xlsx(
        {
            "survey": [
                [*HEAD, "$kuid", "appearance"],
                ["begin_group", "g", "G", "G", "k1", "field-list"],
                ["integer", "a", "A", "A", "k2", "numbers"],
                ["end_group"],
            ],
            "settings": SETTINGS,
        }
    )
    content = xlsform_to_definition(data)
    assert content["questions"] == [
        {"key": "a", "type": "integer", "section": "g", "label": {"da": "A", "en": "A"}}
    ]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["integer", "a", "A", "A", "x"], "indberet::nope"),
        (["begin_group", "g", "G", "G", "x"], "hint::Dansk (da)"),
    ],
)
def test_an_unknown_column_of_ours_or_a_hint_on_a_group_is_refused(row, column):
    rows = [[*HEAD, column], row]
    if row[0] == "begin_group":
        rows += [["integer", "a", "A", "A"], ["end_group"]]
    problems = refused(xlsx({"survey": rows, "settings": SETTINGS}))
    assert problems[0].row == 2 and "kan ikke bruges" in problems[0].message


@pytest.mark.parametrize("before", [True, False])
def test_a_question_outside_the_repeat_is_refused_at_its_row(before):
    repeat = [
        ["begin_repeat", "actions", "Handling", "Action"],
        ["text", "title", "Titel", "Title"],
        ["end_repeat"],
    ]
    outside = [["integer", "n", "N", "N"]]
    rows = [HEAD, *(outside + repeat if before else repeat + outside)]
    problems = refused(xlsx({"survey": rows, "settings": SETTINGS}))
    assert (problems[0].row, "begin_repeat" in problems[0].message) == (2 if before else 5, True)


def test_a_sheet_without_a_place_in_a_definition_is_refused_when_not_empty():
    sheets = {"survey": [HEAD, ["integer", "a", "A", "A"]], "settings": SETTINGS}
    assert xlsform_to_definition(xlsx({**sheets, "entities": []}))["key"] == "skoler"
    problems = refused(xlsx({**sheets, "entities": [["list_name", "label"], ["x", "y"]]}))
    assert (problems[0].sheet, problems[0].row) == ("entities", 1)


def T(da, en=None):
    return {"da": da, **({"en": en} if en else {})}


SKOLER = {
    "key": "erhvervsskoler",
    "title": T("Opsøgende indsats for lærlinge", "Apprenticeship outreach"),
    "description": T("Skoleåret 2025/26.", "The school year 2025/26."),
    "sections": [
        {
            "key": "pupils_part",
            "title": T("Elever", "Pupils"),
            "description": T("Tal pr. 1. oktober."),
        },
        {"key": "time_part", "title": T("Tidsforbrug", "Time spent"), "relevant_when": "fte > 0"},
        {
            "key": "agreements_part",
            "title": T("Aftaler"),
            "relevant_when": "size(title_text) > 3 || has_agreements == true",
        },
    ],
    "questions": [
        {
            "key": "pupils",
            "section": "pupils_part",
            "type": "integer",
            "required": True,
            "min": 0,
            "max": 100000,
            "unit": T("elever", "pupils"),
            "label": T("Elever", "Pupils"),
            "help": T("Alle elever på forløbet.", "All pupils on the programme."),
        },
        {
            "key": "fte",
            "section": "pupils_part",
            "type": "decimal",
            "required": True,
            "min": 0.5,
            "max": 99.5,
            "label": T("Årsværk", "FTE"),
        },
        {
            "key": "admin",
            "section": "time_part",
            "type": "percentage",
            "required": True,
            "label": T("Administration"),
        },
        {
            "key": "support",
            "section": "time_part",
            "type": "percentage",
            "required_when": "fte >= 1 && admin != 100",
            "label": T("Elevstøtte"),
        },
        {
            "key": "employers",
            "section": "time_part",
            "type": "percentage",
            "required": False,
            "label": T("Virksomhedskontakt"),
        },
        {
            "key": "has_agreements",
            "section": "time_part",
            "type": "yes_no",
            "label": T("Aftaler?", "Agreements?"),
        },
        {"key": "contact", "section": "agreements_part", "type": "email", "label": T("Kontakt")},
        {
            "key": "agreements",
            "section": "agreements_part",
            "type": "integer",
            "relevant_when": "has_agreements == true",
            "label": T("Aftaler"),
        },
        {"key": "started", "type": "date", "label": T("Start")},
        {
            "key": "kind",
            "type": "single_choice",
            "label": T("Type"),
            "choices": [{"value": "eud", "label": T("EUD")}, {"value": "egu", "label": T("EGU")}],
        },
        {
            "key": "partners",
            "type": "multiple_choice",
            "label": T("Parter"),
            "choices": [{"value": "a1", "label": T("A")}, {"value": "b_2", "label": T("B", "B")}],
        },
        {"key": "title_text", "type": "text", "max_length": 120, "label": T("Titel")},
        {"key": "notes", "type": "long_text", "max_length": 4000, "label": T("Noter")},
    ],
    "derived": [
        {
            "key": "split",
            "expression": "admin + support + employers",
            "type": "percentage",
            "label": T("I alt"),
        },
        {"key": "per_fte", "expression": "pupils / fte", "type": "integer", "label": T("Pr. år")},
        {"key": "share", "expression": "agreements / pupils", "label": T("Andel")},
    ],
    "rules": [
        {
            "key": "adds_up",
            "severity": "error",
            "expression": "split == 1",
            "fields": ["admin", "support", "employers"],
            "message": T("Fordelingen skal give 100 % (nu {split}).", "Must add up to 100 %."),
        },
        {
            "key": "busy",
            "severity": "warning",
            "scope": "submission",
            "expression": "per_fte <= 200",
            "message": T("Mange elever pr. årsværk."),
        },
    ],
    "history_checks": [
        {
            "key": "pupils_jump",
            "question": "pupils",
            "max_change_percent": 25.5,
            "severity": "error",
            "message": T("Stort spring."),
        },
        {
            "key": "fte_jump",
            "question": "fte",
            "max_change_percent": 40,
            "message": T("Ændret årsværk.", "FTE changed."),
        },
    ],
    "indicators": [
        {
            "key": "agreement_rate",
            "numerator": "agreements",
            "denominator": "pupils",
            "target": 0.25,
            "thresholds": [0.1, 0.2],
            "label": T("Aftaler pr. elev"),
            "target_label": T("Mål: 25 %", "Target: 25 %"),
        },
    ],
}

ENTRIES = {
    "key": "handlinger",
    "title": T("Handlinger"),
    "entries": {
        "label": T("Handling", "Action"),
        "label_plural": T("Handlinger", "Actions"),
        "allow_nothing_to_report": False,
        "min": 1,
        "max": 20,
    },
    "sections": [{"key": "what", "title": T("Hvad")}, {"key": "when_part", "title": T("Hvornår")}],
    "questions": [
        {"key": "name", "section": "what", "type": "text", "required": True, "label": T("Navn")},
        {"key": "hours", "section": "what", "type": "decimal", "label": T("Timer")},
        {"key": "start", "section": "when_part", "type": "date", "label": T("Start")},
        {
            "key": "stop",
            "section": "when_part",
            "type": "date",
            "label": T("Slut"),
            "relevant_when": "hours > 0",
        },
    ],
    "rules": [
        {
            "key": "order",
            "scope": "entry",
            "severity": "error",
            "expression": "stop >= start",
            "fields": ["stop"],
            "message": T("Slut før start."),
        },
        {
            "key": "some_hours",
            "severity": "warning",
            "expression": "entries.all(e, e.hours > 0)",
            "message": T("Timer mangler."),
        },
    ],
}


@pytest.mark.parametrize("content", [SKOLER, ENTRIES], ids=["flat", "entries"])
def test_every_part_of_the_format_round_trips_identical(content):
    from surveys.definitions import validate_definition

    validate_definition(content)
    assert xlsform_to_definition(definition_to_xlsform(content, version=7)) == content


@pytest.mark.parametrize("key", [*SHIPPED_KEYS, "skoler", "entries", "sectioned"])
def test_pyxform_turns_every_download_into_an_xform(key):
    """What ODK Collect and KoboToolbox would load: pyxform's own XLSForm → XForm conversion
    accepts the file, our `indberet::` columns and sheets included."""
    from pyxform.xls2xform import convert

    content = {"skoler": SKOLER, "entries": ENTRIES, "sectioned": sectioned()}.get(key)
    if content is None:
        content = read_definition_file(SHIPPED_DIR / f"{key}.json")
    xform = convert(xlsform=definition_to_xlsform(content), file_type=".xlsx", validate=False)
    assert f'id="{content["key"]}"' in xform.xform


def test_text_that_looks_like_a_formula_is_written_as_text_and_read_back_the_same():
    content = read_definition_file(SHIPPED_DIR / "juniormesterlaere.json")
    content["questions"][0]["label"]["da"] = '=HYPERLINK("http://x","klik")'
    content["questions"][0]["help"]["da"] = "+45 12 34 56 78"
    data = definition_to_xlsform(content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in book["survey"].iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for c in cells)
    assert xlsform_to_definition(data) == content


def _with_part(data, name, body):
    """The XLSX `data` with one part replaced."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, body if item.filename == name else src.read(item))
    return out.getvalue()


@pytest.mark.parametrize(
    ("part", "body"),
    [
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c r='A1'"),
        ("xl/workbook.xml", b"not xml at all"),
        ("xl/worksheets/sheet1.xml", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>'),
    ],
    ids=["broken sheet", "broken workbook", "xml entities"],
)
def test_a_damaged_workbook_is_refused_with_a_message(part, body):
    good = xlsx({"survey": [HEAD, ["integer", "a", "A", "A"]], "settings": SETTINGS})
    problems = refused(_with_part(good, part, body))
    assert problems[0].message


@pytest.mark.parametrize(
    ("sheets", "where", "words"),
    [
        (
            {
                "survey": [HEAD, ["integer", "a", "A", "A"]],
                "settings": [["form_title"], ["Skoler"]],
            },
            ("settings", 2),
            "form_id",
        ),
        ({"survey": [HEAD], "settings": SETTINGS}, ("survey", None), "ingen spørgsmål"),
    ],
)
def test_a_form_without_key_or_questions_says_so(sheets, where, words):
    problems = refused(xlsx(sheets))
    assert ((problems[0].sheet, problems[0].row), words in problems[0].message) == (where, True)


def test_lists_left_empty_by_the_builder_round_trip_identical():
    content = read_definition_file(SHIPPED_DIR / "juniormesterlaere.json")
    content.update(sections=[], derived=[], rules=[], history_checks=[], indicators=[])
    assert xlsform_to_definition(definition_to_xlsform(content)) == content


def test_every_property_of_the_format_has_a_place_in_the_xlsform():
    """A property added to the definition format must be mapped (surveys/xlsform.py), or a
    round trip would drop it."""
    from surveys.definitions import DEFINITION_SCHEMA
    from surveys.xlsform import EXTENSION_SHEETS, HANDLED

    props = DEFINITION_SCHEMA["properties"]
    assert set(props) == HANDLED["(root)"] | set(EXTENSION_SHEETS)
    assert set(props["entries"]["properties"]) == HANDLED["entries"]
    for part in ("sections", "questions", "derived"):
        assert set(props[part]["items"]["properties"]) == HANDLED[part], part
    for sheet in EXTENSION_SHEETS:
        for name, prop in props[sheet]["items"]["properties"].items():
            flat = prop.get("type") in ("string", "number", "integer", "boolean", None)
            texts = prop.get("type") == "object" and set(prop["properties"]) == {"da", "en"}
            scalars = prop.get("type") == "array" and prop["items"].get("type") != "object"
            assert flat or texts or scalars, f"{sheet}.{name} has no column form"


def test_a_choice_list_of_10000_items_is_refused_at_its_question():
    choices = [["list_name", "name", "label"]] + [["big", f"v{i}", f"V {i}"] for i in range(10000)]
    data = xlsx(
        {
            "survey": [HEAD, ["integer", "a", "A", "A"], ["select_one big", "b", "B", "B"]],
            "choices": choices,
            "settings": SETTINGS,
        }
    )
    problems = refused(data)
    assert (problems[0].sheet, problems[0].row) == ("survey", 3)
    assert "10000" in problems[0].message and "100" in problems[0].message
    assert len(str(problems[0])) < 300


def test_more_questions_than_a_definition_may_have_is_refused_with_a_short_message():
    rows = [HEAD] + [["integer", f"q{i}", f"Q {i}", None] for i in range(501)]
    problems = refused(xlsx({"survey": rows, "settings": SETTINGS}))
    assert problems[0].row == 502 and "501" in problems[0].message  # the 501st question
    assert len(str(problems[0])) < 300


def test_a_label_of_only_spaces_is_refused_at_its_row():
    data = xlsx({"survey": [HEAD, ["integer", "a", "   ", None]], "settings": SETTINGS})
    problems = refused(data)
    assert problems[0].row == 2 and "label" in problems[0].message


def test_an_untranslatable_expression_is_refused_in_english():
    from django.utils import translation

    data = xlsx(
        {
            "survey": [
                [*HEAD, "relevant"],
                ["integer", "a", "A", "A"],
                ["integer", "b", "B", "B", "string-length(${a}) > 2"],
            ],
            "settings": SETTINGS,
        }
    )
    with translation.override("en"):
        message = refused(data)[0].message
    assert message.startswith("The expression in column relevant cannot be translated")
    assert "only ${name}, and, or" in message and "Udtrykket" not in message


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_xlsform_syntax_in_a_message_is_not_taken_for_a_brace_placeholder():
    """xgettext guesses python-brace-format from "${navn}"; msgmerge then marks the entry
    fuzzy (its English has "${name}") and a fuzzy entry is not compiled: the message would be
    Danish on English pages after the next makemessages. The source says it is not."""
    source = Path(__file__).resolve().parents[2] / "surveys" / "xlsform.py"
    pot = subprocess.run(
        ["xgettext", "--language=Python", "--keyword=_", "--from-code=UTF-8", "-o", "-", source],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    entries = [e for e in pot.split("\n\n") if "${" in e]
    assert entries
    for entry in entries:
        assert "no-python-brace-format" in entry or "python-brace-format" not in entry, entry
