"""The CSV exports have two writers: on PostgreSQL, PostgreSQL's own COPY with every cell
computed in SQL (exports.pgcopy); elsewhere the Python row generators and csv module
(exports.datasets + renderers.csv_stream). They must write the same bytes.

Every case below is checked against hand-written expected output, on both engines: on SQLite
that is the Python path; on PostgreSQL both paths are checked against it and against each
other. Run the file with DATABASE_URL=postgres://… to exercise COPY.
"""

import datetime as dt
import hashlib

import pytest
from django.db import connection

from exports.models import Export
from exports.services import build_export, csv_chunks
from reference.models import Municipality
from surveys.definition_store import import_definition
from surveys.models import Round
from tests.factories import make_round

POSTGRES = connection.vendor == "postgresql"
UTC = dt.UTC


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def store(round_, code, state, answers, *, explanations=None, derived=None, **kwargs):
    """A submission stored as is (no validation): the exports must cope with what is there."""
    from submissions.models import Submission

    return Submission.objects.create(
        round=round_,
        municipality=Municipality.objects.get(code=code),
        state=state,
        version=1,
        answers=answers,
        explanations=explanations or {},
        derived=derived or {},
        **kwargs,
    )


def export(rounds, fmt, personal=False):
    """The export's bytes by the Python path, and on PostgreSQL also by COPY (must agree)."""
    chunks, counter = csv_chunks(rounds, fmt, include_personal=personal, use_copy=False)
    python = b"".join(chunks)
    if POSTGRES:
        chunks, stream = csv_chunks(rounds, fmt, include_personal=personal, use_copy=True)
        copy = b"".join(chunks)
        assert copy.decode("utf-8-sig").splitlines() == python.decode("utf-8-sig").splitlines()
        assert copy == python
        assert stream.count == counter.count
    return python


def text(lines):
    return "".join(line + "\r\n" for line in lines).encode()


# --- A survey without entries: two rounds stacked, every state, explanations, formulas


@pytest.fixture
def stacked(db):
    first = make_round(
        codes=["101", "147", "151", "153", "155"],
        slug="kant-1",
        deadline=at(2026, 1, 10, 12),
        state="closed",
    )
    second = make_round(codes=["101", "147"], slug="kant-2", deadline=at(2026, 7, 10, 12))
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
        {"pupils_8_9": 200, "enrolled": 0, "comment": "-5"},
        derived={"share": 0.0},
        explanations={"pupils_8_9_change": "@SUM(A1)|x", "share_high": ""},
        submitted_at=at(2026, 1, 11, 8),
        late=True,
    )
    store(first, "151", "draft", {"pupils_8_9": 900, "enrolled": 90}, derived={"share": 0.1})
    store(
        first,
        "153",
        "returned",
        {"pupils_8_9": 300, "enrolled": 3, "comment": "retur"},
        derived={"share": 0.01},
        explanations={"share_high": "ikke med"},
        submitted_at=at(2026, 1, 9),
    )
    store(
        second,
        "101",
        "submitted",
        {"pupils_8_9": 1000, "enrolled": 25, "comment": "\tTab først"},
        derived={"share": 1e-05},
        submitted_at=at(2026, 7, 1, 23, 59, 59),
    )
    store(
        second,
        "147",
        "submitted",
        {"pupils_8_9": 3, "enrolled": 1, "comment": 'linje 1\r\nlinje 2; "citat"'},
        derived={"share": 1 / 3},
        explanations={"share_high": "+45 12 34 56 78"},
        submitted_at=at(2026, 7, 2, 6, 30),
    )
    return [second, first]  # stacked by deadline whatever the order given


WIDE_HEADER = (
    "municipality_code,municipality_name,region_code,region_name,dst_group,round,state,"
    "submitted_at,late,pupils_8_9,enrolled,comment,share,share_high_explanation,"
    "pupils_8_9_change_explanation"
)
HOVEDSTADEN = "1084,Region Hovedstaden,Hovedstadskommuner"


def test_wide_stacks_rounds_with_every_state_and_neutralises_formulas(stacked):
    assert export(stacked, "csv") == text(
        [
            WIDE_HEADER,
            f"101,København,{HOVEDSTADEN},kant-1,accepted,2026-01-05T10:11:12Z,false,1000,50,"
            '"\'=HYPERLINK(""http://x"";""klik"")",0.05,"Forklaring, med komma",',
            f"147,Frederiksberg,{HOVEDSTADEN},kant-1,submitted,2026-01-11T08:00:00Z,true,200,0,"
            "-5,0.0,,'@SUM(A1)\\|x",
            f"151,Ballerup,{HOVEDSTADEN},kant-1,draft,,,,,,,,",
            f"153,Brøndby,{HOVEDSTADEN},kant-1,returned,,,,,,,,",
            f"155,Dragør,{HOVEDSTADEN},kant-1,no_response,,,,,,,,",
            f"101,København,{HOVEDSTADEN},kant-2,submitted,2026-07-01T23:59:59Z,false,1000,25,"
            "'\tTab først,0.00001,,",
            f"147,Frederiksberg,{HOVEDSTADEN},kant-2,submitted,2026-07-02T06:30:00Z,false,3,1,"
            '"linje 1\r\nlinje 2; ""citat""",0.3333333333333333,\'+45 12 34 56 78,',
        ]
    )


def test_danish_variant_has_bom_semicolons_and_decimal_commas(stacked):
    data = export(stacked, "csv-da")
    assert data.startswith("\ufeff".encode())
    assert data[3:] == text(
        [
            WIDE_HEADER.replace(",", ";"),
            "101;København;1084;Region Hovedstaden;Hovedstadskommuner;kant-1;accepted;"
            '2026-01-05T10:11:12Z;false;1000;50;"\'=HYPERLINK(""http://x"";""klik"")";0,05;'
            "Forklaring, med komma;",
            "147;Frederiksberg;1084;Region Hovedstaden;Hovedstadskommuner;kant-1;submitted;"
            "2026-01-11T08:00:00Z;true;200;0;-5;0,0;;'@SUM(A1)\\|x",
            "151;Ballerup;1084;Region Hovedstaden;Hovedstadskommuner;kant-1;draft;;;;;;;;",
            "153;Brøndby;1084;Region Hovedstaden;Hovedstadskommuner;kant-1;returned;;;;;;;;",
            "155;Dragør;1084;Region Hovedstaden;Hovedstadskommuner;kant-1;no_response;;;;;;;;",
            "101;København;1084;Region Hovedstaden;Hovedstadskommuner;kant-2;submitted;"
            "2026-07-01T23:59:59Z;false;1000;25;'\tTab først;0,00001;;",
            "147;Frederiksberg;1084;Region Hovedstaden;Hovedstadskommuner;kant-2;submitted;"
            '2026-07-02T06:30:00Z;false;3;1;"linje 1\r\nlinje 2; ""citat""";0,3333333333333333;'
            "'+45 12 34 56 78;",
        ]
    )


def test_long_has_only_answered_values_of_responded_rows(stacked):
    assert export(stacked, "long") == text(
        [
            "municipality_code,round,entry_no,question,value",
            "101,kant-1,,pupils_8_9,1000",
            "101,kant-1,,enrolled,50",
            '101,kant-1,,comment,"\'=HYPERLINK(""http://x"";""klik"")"',
            "101,kant-1,,share,0.05",
            '101,kant-1,,share_high_explanation,"Forklaring, med komma"',
            "147,kant-1,,pupils_8_9,200",
            "147,kant-1,,enrolled,0",
            "147,kant-1,,comment,-5",
            "147,kant-1,,share,0.0",
            "147,kant-1,,pupils_8_9_change_explanation,'@SUM(A1)\\|x",
            "101,kant-2,,pupils_8_9,1000",
            "101,kant-2,,enrolled,25",
            "101,kant-2,,comment,'\tTab først",
            "101,kant-2,,share,0.00001",
            "147,kant-2,,pupils_8_9,3",
            "147,kant-2,,enrolled,1",
            '147,kant-2,,comment,"linje 1\r\nlinje 2; ""citat"""',
            "147,kant-2,,share,0.3333333333333333",
            "147,kant-2,,share_high_explanation,'+45 12 34 56 78",
        ]
    )


def test_build_export_logs_what_it_streamed(stacked, analyst):
    for fmt, rows in (("csv", 7), ("csv-da", 7), ("long", 19)):
        _, _, content, log = build_export(analyst, stacked, fmt=fmt)
        assert Export.objects.get(pk=log.pk).status == Export.Status.PENDING
        data = b"".join(content)
        assert data == export(stacked, fmt)
        log.refresh_from_db()
        assert log.status == Export.Status.READY
        assert (log.rows, log.size) == (rows, len(data))
        assert log.checksum == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not POSTGRES, reason="COPY is PostgreSQL's")
def test_a_stream_abandoned_midway_leaves_the_connection_usable(stacked):
    chunks, _ = csv_chunks(stacked, "csv", use_copy=True)
    assert next(chunks).startswith(b"municipality_code,")  # the COPY is now running
    chunks.close()  # the client went away
    assert Export.objects.count() == 0
    assert b"".join(csv_chunks(stacked, "long", use_copy=True)[0]) == export(stacked, "long")


# --- An entries survey: one row per entry, nothing to report, lists, an indicator computed
# from each entry, explanations per entry, and a contact e-mail only coordinators get

ENTRIES = {
    "key": "kanttest_poster",
    "title": {"da": "Kanttest med poster"},
    "entries": {"label": {"da": "Post"}, "allow_nothing_to_report": True},
    "questions": [
        {"key": "title", "type": "text", "label": {"da": "Titel"}},
        {
            "key": "tags",
            "type": "multiple_choice",
            "label": {"da": "Mærker"},
            "choices": [{"value": "a", "label": {"da": "A"}}, {"value": "b", "label": {"da": "B"}}],
        },
        {"key": "done", "type": "yes_no", "label": {"da": "Færdig"}},
        {"key": "cost", "type": "decimal", "label": {"da": "Udgift"}},
        {"key": "people", "type": "integer", "label": {"da": "Personer"}},
        {"key": "start", "type": "date", "label": {"da": "Start"}},
        {"key": "contact", "type": "email", "label": {"da": "Kontakt"}},
    ],
    "rules": [
        {
            "key": "cost_high",
            "scope": "entry",
            "severity": "warning",
            "expression": "cost <= 1000",
            "message": {"da": "Høj udgift."},
        }
    ],
    "indicators": [
        {
            "key": "cost_per_person",
            "numerator": "cost",
            "denominator": "people",
            "label": {"da": "Udgift pr. person"},
        }
    ],
}


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
                    "contact": "kontakt@kommune.dk",
                },
                {"title": "=1+2", "tags": [""], "done": False, "cost": 1500, "people": 3},
                {"title": "|a|b", "tags": ["b", None, 3.5], "cost": 1e-05, "people": 4},
            ],
            "nothing_to_report": False,
        },
        explanations={"cost_high@2": "Stor post", "cost_high": "Gælder alle"},
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


ENTRY_HEAD = (
    "municipality_code,municipality_name,region_code,region_name,dst_group,round,state,"
    "submitted_at,late,entry_no,nothing_to_report,title,tags,done,cost,people,start"
)


def test_entries_wide_is_one_row_per_entry(entries):
    head = f"{HOVEDSTADEN},poster-1"
    assert export(entries, "csv") == text(
        [
            ENTRY_HEAD + ",cost_per_person,cost_high_explanation",
            f"101,København,{head},submitted,2026-02-20T09:00:00Z,false,1,false,Brobygning,"
            "a;b,true,2.5,2,2026-01-05,1.25,Gælder alle",
            f"101,København,{head},submitted,2026-02-20T09:00:00Z,false,2,false,'=1+2,,false,"
            "1500,3,,500.0,Stor post",
            f"101,København,{head},submitted,2026-02-20T09:00:00Z,false,3,false,'\\|a\\|b,"
            "b;;3.5,,0.00001,4,,0.0000025,Gælder alle",
            f"147,Frederiksberg,{head},accepted,2026-02-21T09:00:00Z,false,,true,,,,,,,,",
            f"151,Ballerup,{head},submitted,2026-02-22T09:00:00Z,false,,,,,,,,,,",
            f"153,Brøndby,{head},draft,,,,,,,,,,,,",
            f"155,Dragør,{head},no_response,,,,,,,,,,,,",
        ]
    )


def test_entries_danish_variant(entries):
    data = export(entries, "csv-da").decode("utf-8-sig").splitlines()
    assert data[1].endswith(';Brobygning;"a;b";true;2,5;2;2026-01-05;1,25;Gælder alle')
    assert data[2].endswith(";'=1+2;;false;1500;3;;500,0;Stor post")
    assert data[3].endswith(';\'\\|a\\|b;"b;;3,5";;0,00001;4;;0,0000025;Gælder alle')


def test_entries_contact_email_only_with_personal_data(entries, analyst, coordinator):
    assert b"contact" not in export(entries, "csv")
    assert b"kontakt@kommune.dk" not in export(entries, "long")
    wide = export(entries, "csv", personal=True).decode().splitlines()
    assert wide[0] == ENTRY_HEAD + ",contact,cost_per_person,cost_high_explanation"
    assert wide[1].endswith(",2026-01-05,kontakt@kommune.dk,1.25,Gælder alle")
    assert wide[2].endswith(",3,,,500.0,Stor post")
    for user, seen in ((analyst, False), (coordinator, True)):
        for fmt in ("csv", "long"):
            _, _, content, _ = build_export(user, entries, fmt=fmt)
            assert (b"kontakt@kommune.dk" in b"".join(content)) is seen


def test_entries_long_has_nothing_to_report_and_kept_empty_lists(entries):
    assert export(entries, "long") == text(
        [
            "municipality_code,round,entry_no,question,value",
            "101,poster-1,1,title,Brobygning",
            "101,poster-1,1,tags,a;b",
            "101,poster-1,1,done,true",
            "101,poster-1,1,cost,2.5",
            "101,poster-1,1,people,2",
            "101,poster-1,1,start,2026-01-05",
            "101,poster-1,1,cost_per_person,1.25",
            "101,poster-1,1,cost_high_explanation,Gælder alle",
            "101,poster-1,2,title,'=1+2",
            "101,poster-1,2,tags,",  # [""] is an answer, though an empty one
            "101,poster-1,2,done,false",
            "101,poster-1,2,cost,1500",
            "101,poster-1,2,people,3",
            "101,poster-1,2,cost_per_person,500.0",
            "101,poster-1,2,cost_high_explanation,Stor post",
            "101,poster-1,3,title,'\\|a\\|b",
            "101,poster-1,3,tags,b;;3.5",
            "101,poster-1,3,cost,0.00001",
            "101,poster-1,3,people,4",
            "101,poster-1,3,cost_per_person,0.0000025",
            "101,poster-1,3,cost_high_explanation,Gælder alle",
            "147,poster-1,,nothing_to_report,true",
        ]
    )


# --- Odd values: numbers at the edges of float formatting, formula characters everywhere


def test_numbers_and_formula_edges(db):
    round_ = make_round(codes=["101", "147", "151"], slug="kanter")
    values = [
        (1e16, -0.5, "-"),
        (123456.0, 1e-07, "%x"),
        (2.5e-05, 10**20, "-1,5"),
    ]
    for code, (pupils, enrolled, comment) in zip(["101", "147", "151"], values, strict=True):
        store(
            round_,
            code,
            "accepted",
            {"pupils_8_9": pupils, "enrolled": enrolled, "comment": comment},
            derived={"share": [1.5, True, "x"]},
            explanations={"share_high": "\rCR", "pupils_8_9_change": "-12.5\n"},
            submitted_at=at(2026, 1, 1),
        )
    lines = export([round_], "csv").decode().split("\r\n")
    tail = ',1.5;true;x,"\'\rCR","-12.5\n"'
    assert lines[1].endswith(",10000000000000000,-0.5,'-" + tail)
    assert lines[2].endswith(",123456.0,0.0000001,'%x" + tail)
    assert lines[3].endswith(',0.000025,100000000000000000000,"-1,5"' + tail)
    danish = export([round_], "csv-da").decode("utf-8-sig").split("\r\n")
    tail = ';"1,5;true;x";"\'\rCR";"-12.5\n"'
    assert danish[1].endswith(";10000000000000000;-0,5;'-" + tail)
    assert danish[3].endswith(";0,000025;100000000000000000000;-1,5" + tail)
