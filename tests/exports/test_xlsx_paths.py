"""The XLSX export has two sources of rows: on PostgreSQL, the SELECTs of exports.pgcopy with
typed cells (numbers and booleans as such, text cleaned of the characters a spreadsheet cannot
hold and neutralised, date-times as naive UTC); elsewhere the Python row generators and
renderers._xlsx_value. They must give the same workbook.

On PostgreSQL every case below builds both and compares every member of the two files but
the creation time (docProps/core.xml) byte for byte; on both engines the cells are checked
against expected values, so the comparison is not of two empty files. Run the file with
DATABASE_URL=postgres://… to exercise the SQL path.
"""

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exports import pgcopy
from exports.services import build_export, render_bytes
from lib.formula import safe_text, spreadsheet_text
from reference.models import Municipality
from surveys.definition_store import import_definition
from surveys.models import Round
from tests.exports.test_csv_paths import ENTRIES, at, store
from tests.factories import make_round

POSTGRES = connection.vendor == "postgresql"
VOLATILE = {"docProps/core.xml"}


def members(content):
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return {name: zf.read(name) for name in sorted(zf.namelist()) if name not in VOLATILE}


def workbook(rounds, personal=False):
    """The export by the Python path and, on PostgreSQL, by SQL (which must be the same file);
    {sheet: [row tuples]} of the Python one, header included."""
    python, rows = render_bytes(rounds, "xlsx", personal, use_copy=False)
    if POSTGRES:
        sql, sql_rows = render_bytes(rounds, "xlsx", personal, use_copy=True)
        theirs, ours = members(sql), members(python)
        assert sorted(theirs) == sorted(ours)
        assert [name for name in ours if theirs[name] != ours[name]] == []
        assert sql_rows == rows
    wb = load_workbook(io.BytesIO(python))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def column(sheet, name):
    """The values of one column of a sheet (by its header)."""
    at_ = sheet[0].index(name)
    return [row[at_] for row in sheet[1:]]


# --- A survey without entries: every state, odd values in every kind of cell


@pytest.fixture
def hostile(db):
    first = make_round(
        codes=["101", "147", "151", "153", "155", "157"],
        slug="kant-1",
        deadline=at(2026, 1, 10, 12),
        state="closed",
    )
    second = make_round(codes=["101", "147", "155"], slug="kant-2", deadline=at(2026, 7, 10, 12))
    # Reference data is text from outside too.
    Municipality.objects.filter(code="155").update(name="=Dragør\x03", region_name="\tRegion")
    Municipality.objects.filter(code="147").update(dst_group="")
    store(
        first,
        "101",
        "accepted",
        {"pupils_8_9": 1000, "enrolled": 50, "comment": '=HYPERLINK("http://x";"klik")'},
        derived={"share": 0.05},
        explanations={"share_high": "Forklaring, med komma"},
        submitted_at=at(2026, 1, 5, 10, 11, 12, 345678),
    )
    store(
        first,
        "147",
        "submitted",
        {"pupils_8_9": 10**20, "enrolled": 2.5, "comment": "\x01=1+2"},
        derived={"share": 1 / 3},
        explanations={"pupils_8_9_change": "\x02@SUM(A1)|x", "share_high": ""},
        submitted_at=at(2026, 1, 11, 8),
        late=True,
    )
    store(first, "151", "draft", {"pupils_8_9": 900, "enrolled": 90}, derived={"share": 0.1})
    store(
        first,
        "153",
        "accepted",
        {"pupils_8_9": "12", "enrolled": True, "comment": ["=a", 2, None, 1.5e-07, False]},
        derived={"share": [""]},
        explanations={"share_high": "\rCR", "pupils_8_9_change": "-12.5\n"},
        submitted_at=at(2026, 1, 9, 23, 59, 59, 999999),
    )
    store(
        first,
        "157",
        "accepted",
        {"pupils_8_9": {"x": 1}, "enrolled": [], "comment": "|a|b\x0bc"},
        derived={"share": "=1"},
        submitted_at=at(2026, 1, 8),
    )
    store(
        second,
        "101",
        "submitted",
        {"pupils_8_9": 1e-05, "enrolled": -0.0, "comment": "\tTab først"},
        derived={"share": 1e16},
        submitted_at=at(2026, 7, 1, 23, 59, 59),
    )
    store(
        second,
        "147",
        "returned",
        {"pupils_8_9": 3, "enrolled": 1, "comment": "retur"},
        submitted_at=at(2026, 7, 2, 6, 30),
    )
    return [second, first]


def test_wide_cells_are_typed_cleaned_and_neutralised(hostile):
    sheets = workbook(hostile)
    assert list(sheets) == ["wide", "long", "non-responders", "codebook"]
    wide = sheets["wide"]
    assert column(wide, "municipality_code") == ["101", "147", "151", "153", "155", "157"] + [
        "101",
        "147",
        "155",
    ]
    assert column(wide, "municipality_name")[4] == "'=Dragør"
    assert column(wide, "region_name")[4] == "'\tRegion"
    assert column(wide, "dst_group")[1] is None
    assert column(wide, "submitted_at")[:4] == [
        dt.datetime(2026, 1, 5, 10, 11, 12),
        dt.datetime(2026, 1, 11, 8),
        None,
        dt.datetime(2026, 1, 9, 23, 59, 59),
    ]
    assert column(wide, "late")[:3] == [False, True, None]
    assert column(wide, "pupils_8_9") == [1000, 1e20, None, "12", None, None, 1e-05, None, None]
    assert column(wide, "enrolled")[:5] == [50, 2.5, None, True, None]
    assert column(wide, "comment") == [
        '\'=HYPERLINK("http://x";"klik")',
        "'=1+2",
        None,
        "'=a;2;;0.00000015;false",
        None,
        "'\\|a\\|bc",
        "'\tTab først",
        None,
        None,
    ]
    assert column(wide, "share")[:6] == [0.05, 1 / 3, None, None, None, "'=1"]
    assert column(wide, "share")[6] == 1e16
    assert column(wide, "share_high_explanation")[:4] == [
        "Forklaring, med komma",
        None,
        None,
        "'_x000D_CR",  # the writer escapes CR as XML cannot keep it; openpyxl does not decode
    ]
    assert column(wide, "pupils_8_9_change_explanation")[:4] == [
        None,
        "'@SUM(A1)\\|x",
        None,
        "-12.5\n",
    ]


def test_long_and_non_responder_cells(hostile):
    sheets = workbook(hostile)
    long = sheets["long"]
    assert long[0] == ("municipality_code", "round", "entry_no", "question", "value")
    assert ("153", "kant-1", None, "share", None) in long  # [""]: an answer, though empty
    assert ("147", "kant-1", None, "pupils_8_9", 1e20) in long
    assert ("153", "kant-1", None, "enrolled", True) in long
    assert ("157", "kant-1", None, "comment", "'\\|a\\|bc") in long
    assert not [row for row in long if row[0] == "157" and row[3] == "pupils_8_9"]
    assert [row for row in long if row[:2] == ("101", "kant-2")] == [
        ("101", "kant-2", None, "pupils_8_9", 1e-05),
        ("101", "kant-2", None, "enrolled", 0),
        ("101", "kant-2", None, "comment", "'\tTab først"),
        ("101", "kant-2", None, "share", 1e16),
    ]
    assert sheets["non-responders"][1:] == [
        ("151", "Ballerup", "Region Hovedstaden", "Hovedstadskommuner", "kant-1", "draft"),
        ("155", "'=Dragør", "'\tRegion", "Hovedstadskommuner", "kant-1", "no_response"),
        ("147", "Frederiksberg", "Region Hovedstaden", None, "kant-2", "returned"),
        ("155", "'=Dragør", "'\tRegion", "Hovedstadskommuner", "kant-2", "no_response"),
    ]


def test_a_round_without_answers_still_has_every_header(db):
    round_ = make_round(codes=["101", "147"], slug="tom")
    sheets = workbook([round_])
    assert sheets["long"] == [("municipality_code", "round", "entry_no", "question", "value")]
    assert column(sheets["wide"], "state") == ["no_response", "no_response"]


# --- An entries survey: one row per entry, nothing to report, lists, an indicator, e-mail


@pytest.fixture
def entries(db):
    definition, _ = import_definition(ENTRIES)
    round_ = Round.objects.create(
        survey=definition.survey,
        definition=definition,
        title="Poster",
        slug="poster-1",
        deadline=at(2026, 3, 1),
        state="open",
        opened_at=at(2026, 2, 1),
    )
    round_.recipients.set(Municipality.objects.filter(code__in=["101", "147", "151", "153", "155"]))
    store(
        round_,
        "101",
        "submitted",
        {
            "entries": [
                {
                    "title": "Brobygning",
                    "tags": ["a", "b"],
                    "done": True,
                    "cost": 2.5,
                    "people": 2,
                    "start": "2026-01-05",
                    "contact": "=kontakt@kommune.dk",
                },
                {"title": "=1+2", "tags": [""], "done": False, "cost": 1500, "people": 3},
                {"title": "\x1f|a", "tags": ["b", None, 3.5], "cost": 1e-05, "people": 4},
                5,
                {"cost": 1, "people": 0, "title": ""},
            ],
            "nothing_to_report": False,
        },
        explanations={"cost_high@2": "Stor post", "cost_high": "\x04+Gælder alle"},
        submitted_at=at(2026, 2, 20, 9),
    )
    store(
        round_,
        "147",
        "accepted",
        {"entries": [], "nothing_to_report": True},
        submitted_at=at(2026, 2, 21, 9),
    )
    store(
        round_,
        "151",
        "submitted",
        {"entries": [], "nothing_to_report": False},
        submitted_at=at(2026, 2, 22, 9),
    )
    store(round_, "153", "draft", {"entries": [{"title": "kladde", "cost": 1}]})
    return [round_]


def test_entries_rows_per_entry_with_nothing_to_report(entries):
    sheets = workbook(entries)
    wide = sheets["wide"]
    assert "contact" not in wide[0]
    assert column(wide, "entry_no") == [1, 2, 3, 4, 5, None, None, None, None]
    assert column(wide, "nothing_to_report") == [False] * 5 + [True, None, None, None]
    assert column(wide, "title")[:5] == ["Brobygning", "'=1+2", "'\\|a", None, None]
    assert column(wide, "tags")[:3] == ["a;b", None, "b;;3.5"]
    assert column(wide, "done")[:3] == [True, False, None]
    assert column(wide, "cost_per_person")[:5] == [1.25, 500.0, 2.5e-06, None, None]
    assert column(wide, "cost_high_explanation")[:4] == [
        "'+Gælder alle",
        "Stor post",
        "'+Gælder alle",
        "'+Gælder alle",
    ]
    long = sheets["long"]
    assert ("101", "poster-1", 2, "tags", None) in long  # [""] is kept as an (empty) answer
    assert ("147", "poster-1", None, "nothing_to_report", True) in long
    assert [row for row in long if row[2] == 4] == [
        ("101", "poster-1", 4, "cost_high_explanation", "'+Gælder alle")
    ]
    assert [r[1] for r in sheets["non-responders"][1:]] == ["Brøndby", "Dragør"]


def test_entries_with_personal_data(entries, analyst, coordinator):
    wide = workbook(entries, personal=True)["wide"]
    assert column(wide, "contact")[0] == "'=kontakt@kommune.dk"
    for user, seen in ((analyst, False), (coordinator, True)):
        _, _, content, log = build_export(user, entries, fmt="xlsx")
        assert (b"kontakt@kommune.dk" in b"".join(members(content).values())) is seen
        log.refresh_from_db()
        assert log.rows == 9


# --- A wide table of more than 100 columns (json_build_array's limit)


def test_more_than_a_hundred_columns(db):
    definition, _ = import_definition(
        {
            "key": "mange_kolonner",
            "title": {"da": "Mange kolonner"},
            "questions": [
                {"key": f"q{i:03d}", "type": "integer", "label": {"da": f"Spørgsmål {i}"}}
                for i in range(120)
            ],
        }
    )
    round_ = Round.objects.create(
        survey=definition.survey,
        definition=definition,
        title="Mange",
        slug="mange-1",
        deadline=at(2026, 3, 1),
        state="open",
        opened_at=at(2026, 2, 1),
    )
    round_.recipients.set(Municipality.objects.filter(code__in=["101", "147"]))
    store(
        round_, "101", "accepted", {f"q{i:03d}": i for i in range(120)}, submitted_at=at(2026, 2, 2)
    )
    wide = workbook([round_])["wide"]
    assert len(wide[0]) == 9 + 120
    assert wide[1][9:] == tuple(range(120))
    assert wide[2][9:] == (None,) * 120


@pytest.mark.skipif(not POSTGRES, reason="the SQL rows are PostgreSQL's")
def test_a_sheet_abandoned_midway_leaves_the_connection_usable(hostile):
    wide, _, _ = pgcopy.xlsx_sheets(hostile)
    rows = iter(wide)
    assert next(rows)[0] == "101"  # the query is now streaming
    del rows  # the writer failed
    assert workbook(hostile)["wide"][1][0] == "101"


# --- The text rules in SQL are the Python ones, whatever the text (PostgreSQL holds no NUL)

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
    max_size=20,
) | st.sampled_from(
    ['\x01=HYPERLINK("http://x")', "\x1f@SUM(A1)", "\x0b-2+3", "-1,5\n", "|%", "%1", "\tx", "\rx"]
    + ["+45 12", "-5", "=1+2", "@a|b", "\x0c\x0b"]
)


@pytest.mark.skipif(not POSTGRES, reason="the SQL rules are PostgreSQL's")
@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_the_sql_text_rules_are_safe_text_and_spreadsheet_text(value):
    csv_cell = pgcopy._final(pgcopy.CSV, "t.v")
    xlsx_cell = pgcopy._final(pgcopy.XLSX, pgcopy._clean("t.v"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {csv_cell}, ({xlsx_cell}) #>> '{{}}' FROM (SELECT %s::text AS v) t", [value]
        )
        assert cursor.fetchone() == (safe_text(value), spreadsheet_text(value))


@pytest.mark.skipif(not POSTGRES, reason="the SQL rows are PostgreSQL's")
def test_one_row_at_a_time_without_chunked_mode(hostile, monkeypatch):
    """An older libpq (before 17) has no chunked mode: the same workbook, row by row."""
    monkeypatch.setattr(pgcopy, "_stream_size", lambda: 1)
    assert column(workbook(hostile)["wide"], "comment")[1] == "'=1+2"
