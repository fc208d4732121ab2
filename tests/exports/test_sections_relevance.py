"""Exports of a survey with sections and show-when: a hidden question's cell is blank (its
answer was never stored), the codebook and the data package say which section a column
belongs to and when it is asked, the report's catalogue lists entries by section — and the
exports of a survey without them are as before."""

import csv
import io
import json
import zipfile

from openpyxl import load_workbook

from exports import renderers
from exports.datasets import wide_columns
from exports.report import catalogue
from exports.services import build_export
from tests.factories import make_round, make_submission
from tests.surveys.sectioned import sectioned_round, with_entries


def export_bytes(user, rounds, fmt):
    _, _, content, _ = build_export(user, rounds, fmt=fmt)
    return content if isinstance(content, bytes) else b"".join(content)


def outreach_with_answers():
    round_ = sectioned_round(codes=["101", "147"], slug="udsatte-2026")
    make_submission(  # agreements typed, but the section is hidden: never stored
        round_, "101", {"pupils": 40, "has_agreements": False, "agreements": 9, "comment": "A"}
    )
    make_submission(
        round_,
        "147",
        {"pupils": 40, "has_agreements": True, "agreements": 12, "agreements_note": "Mange"},
    )
    return round_


def test_a_hidden_questions_cell_is_blank_in_the_csv(db, analyst):
    round_ = outreach_with_answers()
    rows = list(csv.DictReader(io.StringIO(export_bytes(analyst, [round_], "csv").decode())))
    by_code = {r["municipality_code"]: r for r in rows}
    assert by_code["101"]["agreements"] == "" and by_code["101"]["agreements_note"] == ""
    assert by_code["101"]["per_pupil"] == ""  # derived from a hidden question: absent
    assert by_code["101"]["agreement_rate"] == ""  # the indicator likewise
    assert by_code["147"]["agreements"] == "12" and by_code["147"]["agreements_note"] == "Mange"
    long = export_bytes(analyst, [round_], "long").decode()
    assert "101,udsatte-2026,,agreements," not in long
    assert "147,udsatte-2026,,agreements,12" in long


def test_the_codebook_has_each_columns_section_and_show_when(db, analyst):
    round_ = outreach_with_answers()
    wb = load_workbook(io.BytesIO(export_bytes(analyst, [round_], "xlsx")))
    rows = list(wb["codebook"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[-2:] == ["section", "shown_when"]
    book = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert book["pupils"]["section"] == "Personale" and book["pupils"]["shown_when"] is None
    assert book["agreements"]["section"] == "Aftaler"
    assert book["agreements"]["shown_when"] == "has_agreements == true"
    assert book["agreements_note"]["shown_when"] == "(has_agreements == true) && (agreements > 10)"
    assert book["comment"]["section"] is None


def test_the_datapackage_describes_section_and_show_when(db, analyst):
    round_ = outreach_with_answers()
    with zipfile.ZipFile(io.BytesIO(export_bytes(analyst, [round_], "datapackage"))) as zf:
        package = json.loads(zf.read("datapackage.json"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["pupils"]["description"] == "Pupils on the programme — Afsnit: Personale"
    assert fields["agreements"]["description"] == (
        "Number of agreements — Afsnit: Aftaler — Vises kun når: has_agreements == true "
        "(ellers tom)"
    )
    assert fields["comment"]["description"] == "Comments"


def test_a_survey_without_sections_keeps_its_codebook_and_descriptions(db):
    spec = make_round().definition.spec
    assert [c.name for c in renderers.codebook_columns(spec)] == [
        "column", "label_da", "label_en", "type", "unit", "allowed_values",
    ]  # fmt: skip
    columns = wide_columns(spec)
    assert all(len(row) == 6 for row in renderers.codebook_rows(columns, spec))
    schema = renderers.table_schema(columns)
    described = {f.name: f.description for f in schema.fields}
    assert described["enrolled"] == (
        "Pupils enrolled in junior apprenticeship — Elever i 8. og 9. klasse, der er tilmeldt "
        "juniormesterlære."
    )
    assert "Afsnit" not in json.dumps(schema.to_descriptor())


def test_the_reports_catalogue_lists_an_entrys_answers_under_its_sections(db):
    round_ = sectioned_round(codes=["360"], slug="ph-sektioner", content=with_entries())
    spec = round_.definition.spec
    theme = spec.question("theme").choice_values[0]
    entry = {"title": "Praktik", "theme": theme, "goal": "Flere i praktik", "learning": "Lært"}
    make_submission(round_, "360", {"entries": [{**entry, "status": "planned"}]})
    groups, _ = catalogue(round_, spec)
    (shown,) = groups[0]["entries"]
    assert [s["title"] for s in shown["sections"]] == ["Om handlingen", "Resultat"]
    labels = [f["label"] for s in shown["sections"] for f in s["fields"]]
    assert "Læring" not in " ".join(labels)  # hidden for a planned entry: never stored
    assert shown["sections"][1]["fields"] == [{"label": "Status", "value": "Planlagt"}]


def test_the_catalogue_of_a_survey_without_sections_has_one_untitled_group(db):
    round_ = make_round("proevehandlinger", codes=["360"])
    spec = round_.definition.spec
    theme = spec.question("theme").choice_values[0]
    make_submission(
        round_,
        "360",
        {"entries": [{"title": "T", "theme": theme, "goal": "G", "status": "planned"}]},
    )
    groups, _ = catalogue(round_, spec)
    (shown,) = groups[0]["entries"]
    assert [s["title"] for s in shown["sections"]] == [""]
    assert shown["sections"][0]["fields"] == shown["fields"]


def test_the_python_and_postgresql_csv_paths_agree_on_hidden_answers(db):
    from tests.exports.test_csv_paths import export

    flat = outreach_with_answers()
    content = with_entries()
    partners = next(q for q in content["questions"] if q["key"] == "partners")
    partners["relevant_when"] = "status == 'running'"  # a multiple choice, hidden: null
    entries = sectioned_round(codes=["360", "101"], slug="ph-sektioner", content=content)
    spec = entries.definition.spec
    theme = spec.question("theme").choice_values[0]
    partner = spec.question("partners").choice_values[0]
    entry = {"title": "T", "theme": theme, "goal": "G", "partners": [partner]}
    make_submission(
        entries,
        "360",
        {"entries": [{**entry, "status": "planned"}, {**entry, "status": "running"}]},
    )
    for fmt in ("csv", "csv-da", "long"):
        assert export([flat], fmt)
        body = export([entries], fmt).decode("utf-8-sig")
        assert (partner in body) and body.count(partner) == 1  # only the running entry
