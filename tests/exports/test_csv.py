import io

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports import datasets
from exports.models import Export
from exports.services import build_export
from tests.exports.conftest import CURRENT
from tests.factories import make_round, make_submission

WIDE_HEAD = [
    "municipality_code",
    "municipality_name",
    "region_code",
    "region_name",
    "dst_group",
    "round",
    "state",
    "submitted_at",
    "late",
]


def export_bytes(user, rounds, fmt, **kwargs):
    filename, content_type, content, export = build_export(user, rounds, fmt=fmt, **kwargs)
    data = content if isinstance(content, bytes) else b"".join(content)
    export.refresh_from_db()
    return data, export


def read_csv(data, **kwargs):
    return pd.read_csv(io.BytesIO(data), dtype={"municipality_code": str}, **kwargs)


def test_wide_csv_has_the_contract_columns_in_order(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1]], "csv")
    header = data.decode().splitlines()[0].split(",")
    assert header == [
        *WIDE_HEAD,
        "pupils_8_9",
        "enrolled",
        "comment",
        "share",
        "share_high_explanation",
        "pupils_8_9_change_explanation",
    ]


def test_wide_csv_read_back_equals_the_stored_answers(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1]], "csv")
    df = read_csv(data).set_index("municipality_code")
    assert len(df) == 9
    for code, (pupils, enrolled) in CURRENT.items():
        assert df.loc[code, "pupils_8_9"] == pupils
        assert df.loc[code, "enrolled"] == enrolled
        assert df.loc[code, "state"] == "submitted"
    assert df.loc["101", "share"] == pytest.approx(0.05)
    assert df.loc["461", "municipality_name"] == "Odense"
    assert df.loc["461", "dst_group"] == "Storbykommuner"


def test_empty_is_not_zero(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1]], "csv")
    df = read_csv(data).set_index("municipality_code")
    assert df.loc["151", "enrolled"] == 0  # a real zero stays zero
    assert pd.isna(df.loc["153", "share"])  # 0 / 0 has no value
    for code, state in (("360", "draft"), ("727", "no_response")):
        assert df.loc[code, "state"] == state
        assert pd.isna(df.loc[code, "pupils_8_9"])  # the draft's 900 is not exported
        assert pd.isna(df.loc[code, "submitted_at"])
    text = data.decode()
    assert "900" not in text
    assert ",727,Odder" not in text  # sanity: code is first column
    assert text.splitlines()[-1].startswith("727,Odder,1082,Region Midtjylland")
    assert text.splitlines()[-1].endswith("no_response,,,,,,,,")


def test_danish_variant_reads_back_with_semicolon_and_decimal_comma(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1]], "csv-da")
    assert data.startswith("\ufeff".encode())
    df = read_csv(data, sep=";", decimal=",", encoding="utf-8-sig").set_index("municipality_code")
    assert df.loc["157", "share"] == pytest.approx(0.01)
    assert df.loc["101", "pupils_8_9"] == 1000
    assert "0,01" in data.decode("utf-8-sig")


def test_several_rounds_are_stacked_oldest_first(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1], rounds[0]], "csv")
    df = read_csv(data)
    assert list(df["round"].unique()) == ["jml-2025-09", "jml-2026-02"]
    assert len(df) == 6 + 9
    prev = df[df["round"] == "jml-2025-09"].set_index("municipality_code")
    assert prev.loc["360", "enrolled"] == 60
    assert pd.isna(prev.loc["157", "enrolled"])  # a draft then


def test_long_csv_is_one_row_per_answered_value(rounds, analyst):
    data, _ = export_bytes(analyst, [rounds[1]], "long")
    df = read_csv(data)
    assert list(df.columns) == ["municipality_code", "round", "entry_no", "question", "value"]
    odense = df[df["municipality_code"] == "461"].set_index("question")["value"]
    assert odense["pupils_8_9"] == "300" or float(odense["pupils_8_9"]) == 300
    assert float(odense["share"]) == pytest.approx(0.1)
    assert "360" not in set(df["municipality_code"])  # drafts are not data
    assert "comment" not in set(df["question"])  # unanswered: absent


def test_formula_injection_is_neutralised_in_csv(db, analyst):
    round_ = make_round(codes=["101", "147"])
    make_submission(round_, "101", {"pupils_8_9": 10, "enrolled": 1, "comment": "=1+1"})
    make_submission(round_, "147", {"pupils_8_9": 10, "enrolled": 1, "comment": "@SUM(A1)"})
    for fmt in ("csv", "csv-da", "long"):
        data, _ = export_bytes(analyst, [round_], fmt)
        text = data.decode("utf-8-sig")
        assert "'=1+1" in text and "'@SUM(A1)" in text
        assert ",=1+1" not in text and ";=1+1" not in text


def test_every_export_is_logged_with_checksum_size_and_rows(rounds, analyst):
    import hashlib

    data, export = export_bytes(analyst, [rounds[1]], "csv")
    assert export.status == Export.Status.READY
    assert export.requested_by == analyst
    assert export.checksum == hashlib.sha256(data).hexdigest()
    assert export.size == len(data)
    assert export.rows == 9
    assert export.query["rounds"] == ["jml-2026-02"]
    assert export.query["provisional"] is True


def test_csv_generator_query_count_is_constant_in_the_number_of_rounds(db):
    made = []
    for i in range(4):
        r = make_round(codes=["101", "147", "151"], slug=f"q-{i}")
        make_submission(r, "101", {"pupils_8_9": 10, "enrolled": 1})
        made.append(r)
    from surveys.models import Round

    def count(n):
        rounds = list(
            Round.objects.select_related("survey", "definition").filter(
                slug__in=[f"q-{i}" for i in range(n)]
            )
        )
        with CaptureQueriesContext(connection) as ctx:
            rows = list(datasets.wide_rows(rounds))
        return len(ctx.captured_queries), len(rows)

    one, rows_one = count(1)
    four, rows_four = count(4)
    assert (rows_one, rows_four) == (3, 12)
    assert one == four <= 2
