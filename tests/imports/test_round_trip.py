"""Issue 15: an export of one round imports into another round of the same survey with the
same answers — both layouts, both CSV dialects and XLSX, flat and entries surveys."""

import io

import pytest
from openpyxl import load_workbook

from exports.services import csv_chunks, render_bytes
from imports import services
from imports.models import Import
from tests.factories import make_round, make_submission

CODES = ["101", "147", "360", "727"]


def _export(round_, fmt):
    if fmt == "xlsx":
        return render_bytes([round_], "xlsx", True)[0], "export.xlsx"
    chunks, _ = csv_chunks([round_], fmt, True, use_copy=False)
    return b"".join(chunks), f"export-{fmt}.csv"


def _import(round_, content, name, coordinator, **options):
    imp = services.upload(round_, actor=coordinator, file_name=name, content=content)
    return imp, services.apply(imp, actor=coordinator, **options)


def _answers(round_):
    return {
        s.municipality.code: (s.answers, s.explanations, s.state)
        for s in round_.submissions.select_related("municipality")
    }


@pytest.mark.parametrize("fmt", ["csv", "csv-da", "long", "xlsx"])
def test_an_export_imports_into_a_new_round_with_identical_answers(coordinator, fmt):
    source = make_round(codes=CODES)
    make_submission(source, "101", {"pupils_8_9": 10567, "enrolled": 88, "comment": "=1+2 | x"})
    make_submission(
        source,
        "360",
        {"pupils_8_9": 690, "enrolled": 150},
        explanations={"share_high": "Ny ordning; »to« skoler"},
    )
    make_submission(source, "147", {"pupils_8_9": 1826, "enrolled": 8}, state="accepted")
    make_submission(source, "727", {"pupils_8_9": 500, "enrolled": 5}, state="draft")
    target = make_round(codes=CODES)
    content, name = _export(source, fmt)
    _, report = _import(target, content, name, coordinator, mode=Import.Mode.SUBMITTED)
    assert report.counts["applied"] == 3, report.as_dict()
    expected = {
        code: (answers, expl, "submitted")
        for code, (answers, expl, state) in _answers(source).items()
        if state != "draft"
    }
    assert _answers(target) == expected


@pytest.mark.parametrize("fmt", ["csv", "csv-da", "long", "xlsx"])
def test_entries_round_trip(coordinator, fmt):
    source = make_round("proevehandlinger", codes=CODES)
    entry = {
        "title": "Brobygning; 8. klasse",
        "theme": "early_action",
        "target_groups": ["grundskole", "unge_15_17"],
        "partners": ["kui"],
        "goal": "Flere i gang\nmed uddannelse",
        "status": "evaluated",
        "learning": "Det virker",
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
    }
    second = {**entry, "title": "Anden", "theme": "flexible_paths", "status": "planned"}
    del second["learning"]
    make_submission(source, "101", {"entries": [entry, second], "nothing_to_report": False})
    make_submission(source, "147", {"entries": [], "nothing_to_report": True})
    target = make_round("proevehandlinger", codes=CODES)
    content, name = _export(source, fmt)
    _, report = _import(target, content, name, coordinator, mode=Import.Mode.SUBMITTED)
    assert report.counts["applied"] == 2, report.as_dict()
    got = _answers(target)
    want = _answers(source)
    assert got["101"][0] == want["101"][0]
    assert got["147"][0] == want["147"][0]


def test_xlsx_formulas_are_read_as_text_never_evaluated(coordinator):
    from openpyxl import Workbook

    round_ = make_round(codes=CODES)
    wb = Workbook()
    ws = wb.active
    ws.append(["municipality_code", "pupils_8_9", "enrolled", "comment"])
    ws.append(["101", "=2*500", 10, '=HYPERLINK("http://x")'])
    buffer = io.BytesIO()
    wb.save(buffer)
    imp = services.upload(round_, actor=coordinator, file_name="f.xlsx", content=buffer.getvalue())
    plan = services.dry_run(imp)
    [row] = plan.rows
    assert row.status == "refused" and row.reasons[0][0] == "value"
    assert "=" in row.reasons[0][1]
    assert load_workbook  # the reader is openpyxl read-only
