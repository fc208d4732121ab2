"""The synthetic answers of the vocational-school study (demo/data/demo_erhvervsskoler.csv):
27 anonymised schools, each with the municipality and region it sits in, and its answers to
the `erhvervsskoler` survey. Read here once so the demo loader (when the school register
exists), the tests and anyone else take the same rows."""

import csv
from pathlib import Path

SCHOOLS_CSV = Path(__file__).resolve().parent / "data" / "demo_erhvervsskoler.csv"
SURVEY_KEY = "erhvervsskoler"
INTEGERS = ("pupils", "pupils_with_agreement", "share_admin", "share_support", "share_relations")
DECIMALS = ("outreach_fte",)
BOOLEANS = ("uses_consultants", "consultants_dedicated")


def _answers(row):
    answers = {}
    for key in INTEGERS:
        if row[key] != "":
            answers[key] = int(row[key])
    for key in DECIMALS:
        if row[key] != "":
            answers[key] = float(row[key])
    for key in BOOLEANS:
        if row[key] != "":
            answers[key] = row[key] == "true"
    return answers


def school_answers():
    """[{code, name, municipality_code, region_code, state, answers}] in code order; `state`
    is `submitted` or `no_response` (then `answers` is empty)."""
    with open(SCHOOLS_CSV, encoding="utf-8") as f:
        return [
            {
                "code": row["school_code"],
                "name": row["school_name"],
                "municipality_code": row["municipality_code"],
                "region_code": row["region_code"],
                "state": row["state"],
                "answers": _answers(row) if row["state"] != "no_response" else {},
            }
            for row in csv.DictReader(f)
        ]


def register_table():
    """The 27 schools as rows of the `erhvervsskoler` register (the shape of
    reference.member_import.read_table): code, name and the attributes region and
    municipality."""
    return [
        {
            "_row": number,
            "code": school["code"],
            "name": school["name"],
            "region": school["region_code"],
            "municipality": school["municipality_code"],
        }
        for number, school in enumerate(school_answers(), start=2)
    ]
