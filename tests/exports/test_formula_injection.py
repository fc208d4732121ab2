"""Issue 12 item 7: no cell any CSV or XLSX writer produces starts with a formula character,
whatever text went in (control characters first included) — one function cleans and then
neutralises (lib.formula.spreadsheet_text)."""

import csv
import io
from types import SimpleNamespace

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import audit_views
from exports import renderers
from lib import formula
from tracking import nonresponders

FORMULA = tuple("=+-@|%\t\r")
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(['\x01=HYPERLINK("http://x")', "\x00+1", "\x1f@SUM(A1)", "\x0b-2+3"])


def live_formula(cell):
    """A cell a spreadsheet would evaluate: text starting with a formula character that is
    not a plain number (numbers such as -5 are left as they are, by defusedcsv's rule)."""
    return isinstance(cell, str) and cell.startswith(FORMULA) and not formula.NUMBER.match(cell)


@settings(max_examples=300, deadline=None)
@given(text)
def test_writing_a_formula_behind_control_characters_into_any_cell_writer_is_defused(value):
    cells = {
        "export csv": renderers.csv_cell(value),
        "export xlsx": renderers._xlsx_value(value),
        "non-responders": nonresponders.safe(value),
        "audit csv": audit_views._cell(value),
        "spreadsheet_text": formula.spreadsheet_text(value),
    }
    for writer, cell in cells.items():
        if writer != "export csv":  # XLSX-bound cells: nothing openpyxl would refuse
            assert not formula.ILLEGAL_CHARACTERS_RE.search(cell), writer
        assert not live_formula(cell), (writer, cell)


@settings(max_examples=60, deadline=None)
@given(st.lists(text, min_size=1, max_size=5))
def test_a_formula_in_an_exported_workbook_reads_back_as_text(values):
    columns = [
        SimpleNamespace(name=f"c{i}", type="string", question=None, unit="")
        for i in range(len(values))
    ]
    data = renderers.xlsx_bytes([("wide", columns, [values])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row]
    assert not any(live_formula(cell) for cell in cells if cell is not None)


@settings(max_examples=60, deadline=None)
@given(st.lists(text, min_size=1, max_size=5))
def test_a_formula_in_an_exported_csv_reads_back_as_text(values):
    columns = [SimpleNamespace(name=f"c{i}") for i in range(len(values))]
    data = b"".join(renderers.csv_stream(columns, [values])).decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert not any(live_formula(cell) for cell in rows[1])
