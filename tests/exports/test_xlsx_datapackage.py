import io
import zipfile

import pandas as pd
from frictionless import validate
from openpyxl import load_workbook

from exports.services import build_export
from tests.factories import make_round, make_submission


def export_bytes(user, rounds, fmt):
    _, _, content, export = build_export(user, rounds, fmt=fmt)
    return content if isinstance(content, bytes) else b"".join(content)


def test_xlsx_has_wide_long_non_responders_and_codebook_sheets(rounds, analyst):
    wb = load_workbook(io.BytesIO(export_bytes(analyst, [rounds[1]], "xlsx")))
    assert wb.sheetnames == ["wide", "long", "non-responders", "codebook"]
    wide = pd.read_excel(
        io.BytesIO(export_bytes(analyst, [rounds[1]], "xlsx")),
        "wide",
        dtype={"municipality_code": str},
    ).set_index("municipality_code")
    assert wide.loc["101", "pupils_8_9"] == 1000
    assert pd.isna(wide.loc["727", "pupils_8_9"])
    non = [row for row in wb["non-responders"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[5]) for r in non] == [
        ("360", "Lolland", "draft"),
        ("727", "Odder", "no_response"),
    ]
    codebook = {r[0]: r for r in wb["codebook"].iter_rows(min_row=2, values_only=True)}
    assert codebook["pupils_8_9"][1] == "Elever i 8. og 9. klasse"
    assert codebook["pupils_8_9"][2] == "Pupils in 8th and 9th grade"
    assert codebook["pupils_8_9"][3] == "integer"
    assert codebook["pupils_8_9"][4] == "elever"
    assert "no_response" in codebook["state"][5]


def test_formula_injection_is_neutralised_in_xlsx(db, analyst):
    round_ = make_round(codes=["101", "147"])
    make_submission(round_, "101", {"pupils_8_9": 10, "enrolled": 1, "comment": "=1+1"})
    make_submission(
        round_, "147", {"pupils_8_9": 10, "enrolled": 1, "comment": "+cmd|' /C calc'!A0"}
    )
    wb = load_workbook(io.BytesIO(export_bytes(analyst, [round_], "xlsx")))
    ws = wb["wide"]
    header = [c.value for c in ws[1]]
    col = header.index("comment")
    comments = [row[col] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert comments[0] == "'=1+1"
    assert comments[1].startswith("'+")
    for row in ws.iter_rows(min_row=2):
        assert all(c.data_type != "f" for c in row)


def test_datapackage_zip_passes_frictionless_validate(rounds, analyst, tmp_path):
    data = export_bytes(analyst, [rounds[0], rounds[1]], "datapackage")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["datapackage.json", "long.csv", "wide.csv"]
        zf.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    import json

    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    wide = descriptor["resources"][0]["schema"]
    fields = {f["name"]: f for f in wide["fields"]}
    assert wide["missingValues"] == [""]
    assert fields["pupils_8_9"]["type"] == "integer"
    assert fields["pupils_8_9"]["unit"] == "elever"
    assert fields["share"]["type"] == "number"
    assert fields["submitted_at"]["type"] == "datetime"
    assert fields["state"]["constraints"]["enum"][0] == "no_response"
    assert all(f.get("title") for f in wide["fields"])


def test_entries_datapackage_with_choices_passes_frictionless_validate(db, analyst, tmp_path):
    round_ = make_round("proevehandlinger", codes=["101", "147", "151"])
    make_submission(
        round_,
        "101",
        {
            "entries": [
                {
                    "title": "Brobygning",
                    "theme": "early_action",
                    "goal": "Mål",
                    "status": "planned",
                    "target_groups": ["grundskole", "fgu"],
                    "start_date": "2026-01-05",
                },
                {
                    "title": "Mentor",
                    "theme": "youth_ownership",
                    "goal": "Mål 2",
                    "status": "evaluated",
                    "learning": "Det virkede",
                    "contact_email": "a@b.dk",
                },
            ],
            "nothing_to_report": False,
        },
    )
    make_submission(round_, "147", {"entries": [], "nothing_to_report": True})
    data = export_bytes(analyst, [round_], "datapackage")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    wide = pd.read_csv(tmp_path / "wide.csv", dtype={"municipality_code": str})
    assert list(wide.columns[9:11]) == ["entry_no", "nothing_to_report"]
    assert "contact_email" not in wide.columns  # personal contact data: analysts never see it
    assert list(wide["entry_no"].fillna(0)) == [1, 2, 0, 0]
    assert wide.loc[0, "target_groups"] == "grundskole;fgu"
    assert bool(wide.loc[2, "nothing_to_report"]) is True
    assert wide.loc[3, "state"] == "no_response"


def test_xlsx_sheets_are_ready_to_read(rounds, analyst):
    """Header frozen, filter buttons on, widths set, shares as percentages, and the codebook
    saying that date-times are UTC (an XLSX cell carries no time zone)."""
    wb = load_workbook(io.BytesIO(export_bytes(analyst, [rounds[1]], "xlsx")))
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref.startswith("A1:"), name
        assert ws.column_dimensions["A"].width > 8, name
    wide = wb["wide"]
    header = [c.value for c in wide[1]]
    share = header.index("share") + 1
    submitted = header.index("submitted_at") + 1
    row = next(r for r in wide.iter_rows(min_row=2) if r[share - 1].value is not None)
    assert row[share - 1].number_format.endswith("%")
    assert row[submitted - 1].is_date
    pupils = header.index("pupils_8_9")
    assert row[pupils].number_format == "General"
    codebook = {r[0]: r for r in wb["codebook"].iter_rows(min_row=2, values_only=True)}
    assert "UTC" in codebook["submitted_at"][3]
    assert "%" not in codebook["pupils_8_9"][3]
