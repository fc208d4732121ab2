"""Municipalities, surveys and definitions, rounds (list, filter, create, open, close),
the status table, reminders, summary and export."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reference.models import Municipality
from submissions.models import Reminder
from surveys.definitions import SHIPPED_DIR
from surveys.models import Round
from tests.api.conftest import SLUG, VALID, url
from tests.factories import make_round, make_submission


def test_municipalities_list_the_98_with_their_groups(clients, db):
    body = clients["officer_own"].get(url("municipalities/")).json()
    assert len(body) == Municipality.objects.filter(register__key="kommuner").count() >= 98
    lolland = next(m for m in body if m["code"] == "360")
    assert set(lolland) == {"code", "name", "region_code", "region_name", "dst_group"}
    assert lolland["name"] == "Lolland"


def test_a_definition_reads_current_or_by_version(clients, round_):
    client = clients["analyst"]
    current = client.get(url("surveys/juniormesterlaere/definition/")).json()
    assert current["version"] == 1 and current["key"] == "juniormesterlaere"
    assert client.get(url("surveys/juniormesterlaere/definition/?version=1")).status_code == 200
    assert client.get(url("surveys/juniormesterlaere/definition/?version=7")).status_code == 404
    assert client.get(url("surveys/juniormesterlaere/definition/?version=x")).status_code == 400
    # Digits str.isdigit() knows but int() refuses (²), or reads as a number (٣): a 400.
    for garbled in ("²", "%D9%A3", "1%C2%B2", "1234567890"):
        response = client.get(url(f"surveys/juniormesterlaere/definition/?version={garbled}"))
        assert response.status_code == 400, garbled
        assert response.json()["error"]["fields"][0]["field"] == "version"
    assert client.get(url("surveys/nope/definition/")).status_code == 404


def test_importing_a_definition_makes_the_next_version_once(clients, round_):
    content = json.loads((SHIPPED_DIR / "juniormesterlaere.json").read_text())
    content["description"] = {"da": "Ny", "en": "New"}
    first = clients["coordinator"].post(url("surveys/"), content, format="json")
    again = clients["coordinator"].post(url("surveys/"), content, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["version"] == again.json()["version"] == 2
    assert again.json()["created"] is False
    surveys = clients["officer_own"].get(url("surveys/")).json()
    assert {"key": "juniormesterlaere", "current_version": 2, "versions": [1, 2]}.items() <= next(
        s for s in surveys if s["key"] == "juniormesterlaere"
    ).items()


def test_a_malformed_definition_answers_400_with_the_path(clients, db):
    content = json.loads((SHIPPED_DIR / "juniormesterlaere.json").read_text())
    content["questions"][1]["type"] = "number"
    response = clients["coordinator"].post(url("surveys/"), content, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_definition"
    assert error["fields"][0]["field"] == "questions[1].type"


def test_rounds_filter_by_survey_and_state(clients, round_):
    make_round("proevehandlinger", codes=["360"], slug="ph-closed", state="closed")
    client = clients["coordinator"]
    slugs = lambda q: [r["slug"] for r in client.get(url(f"rounds/{q}")).json()]  # noqa: E731
    assert set(slugs("")) == {SLUG, "ph-closed"}
    assert slugs("?survey=proevehandlinger") == ["ph-closed"]
    assert slugs("?state=open") == [SLUG]
    assert slugs("?state=open&survey=proevehandlinger") == []
    bad = client.get(url("rounds/?state=sleeping"))
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "state"


def test_a_coordinator_creates_a_round_for_all_and_opens_and_closes_it(clients, round_):
    client = clients["coordinator"]
    created = client.post(
        url("rounds/"),
        {
            "survey": "juniormesterlaere",
            "title": "September 2026",
            "slug": "jml-2026-09",
            "deadline": "2026-09-30T12:00:00+02:00",
            "recipients": "all",
            "previous": SLUG,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft" and body["previous"] == SLUG
    assert len(body["recipients"]) == 98
    assert client.post(url("rounds/jml-2026-09/close/")).status_code == 409
    assert client.post(url("rounds/jml-2026-09/open/")).json()["state"] == "open"
    assert client.post(url("rounds/jml-2026-09/open/")).status_code == 200
    assert client.post(url("rounds/jml-2026-09/close/")).json()["state"] == "closed"
    assert client.post(url("rounds/jml-2026-09/open/")).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": SLUG}, "slug"),
        ({"recipients": ["360", "999"]}, "recipients"),
        ({"recipients": "some"}, "recipients"),
        ({"survey": "nope"}, "survey"),
        ({"deadline": "tomorrow"}, "deadline"),
        ({"previous": "nope"}, "previous"),
    ],
)
def test_creating_a_round_with_bad_data_answers_400_with_the_field(clients, round_, change, field):
    body = {
        "survey": "juniormesterlaere",
        "title": "X",
        "slug": "x-1",
        "deadline": "2026-09-30T12:00:00Z",
        "recipients": ["360"],
    } | change
    response = clients["coordinator"].post(url("rounds/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == field
    assert not Round.objects.filter(slug="x-1").exists()


@pytest.mark.parametrize(
    "recipients",
    [
        ["36\x000"],
        ["360", "\x00"],
        {"selection": "a\x00b"},
        {"attribute": "region\x00", "values": ["Midt"]},
        {"attribute": "region", "values": ["Mi\x00dt"]},
    ],
)
def test_a_nul_in_the_recipients_is_a_400_naming_them(clients, round_, recipients):
    """PostgreSQL refuses NUL in text (a DataError, a 500 unguarded); SQLite would only find
    nothing — the code shows the guard on both."""
    body = {
        "survey": "juniormesterlaere",
        "title": "X",
        "slug": "x-1",
        "deadline": "2026-09-30T12:00:00Z",
        "recipients": recipients,
    }
    response = clients["coordinator"].post(url("rounds/"), body, format="json")
    assert response.status_code == 400
    [error] = response.json()["error"]["fields"]
    assert error["field"] == "recipients"
    assert error["code"] == "null_characters_not_allowed"
    assert not Round.objects.filter(slug="x-1").exists()


def test_status_has_one_row_per_recipient(clients, round_):
    make_submission(round_, "360", VALID, state="submitted")
    make_submission(round_, "727", {"pupils_8_9": 5}, state="draft")
    rows = clients["analyst"].get(url(f"rounds/{SLUG}/status/")).json()
    assert [r["municipality"] for r in rows] == ["101", "360", "727"]
    by_code = {r["municipality"]: r for r in rows}
    assert by_code["360"]["state"] == "submitted" and by_code["360"]["submitted_at"]
    assert by_code["727"]["state"] == "draft"
    assert by_code["101"]["state"] in ("not_started", "no_contact")
    assert set(by_code["360"]) == {
        "municipality",
        "name",
        "state",
        "submitted_at",
        "late",
        "last_activity",
        "reminders_sent",
    }


def test_status_uses_a_constant_number_of_queries(clients, db):
    small = make_round(codes=["360", "727"], slug="small")
    big = make_round(slug="big")  # all 98
    for r in (small, big):
        make_submission(r, "360", VALID)
    client = clients["coordinator"]
    client.get(url("rounds/small/status/"))  # warm up: the token's first use is recorded once
    counts = []
    for slug in ("small", "big"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(f"rounds/{slug}/status/")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_reminders_go_to_the_non_responders_once_per_key(clients, round_):
    make_submission(round_, "360", VALID, state="submitted")
    client = clients["coordinator"]
    body = {"municipalities": "non_responders", "key": "0" * 31 + "1"}
    first = client.post(url(f"rounds/{SLUG}/reminders/"), body, format="json")
    assert first.status_code == 200, first.json()
    reminded = set(first.json()["sent"]) | set(first.json()["no_recipients"])
    assert reminded == {"101", "727"}
    again = client.post(url(f"rounds/{SLUG}/reminders/"), body, format="json")
    assert set(again.json()["already"]) == {"101", "727"}
    assert Reminder.objects.count() == 2
    unknown = client.post(
        url(f"rounds/{SLUG}/reminders/"), {"municipalities": ["999"]}, format="json"
    )
    assert unknown.status_code == 400


def test_the_summary_is_the_analysis_of_the_round(clients, round_):
    make_submission(round_, "360", VALID)
    body = clients["analyst"].get(url(f"rounds/{SLUG}/summary/")).json()
    assert body["recipients"] == 3 and body["responses"] == 1


def test_the_csv_export_loads_into_pandas(clients, round_):
    import io

    import pandas as pd

    make_submission(round_, "360", VALID)
    response = clients["analyst"].get(url(f"rounds/{SLUG}/export/?format=csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = io.BytesIO(b"".join(response.streaming_content))
    frame = pd.read_csv(content, dtype={"municipality_code": str})
    assert frame.set_index("municipality_code").loc["360", "enrolled"] == 10
    assert clients["analyst"].get(url(f"rounds/{SLUG}/export/?format=doc")).status_code == 400


@pytest.mark.parametrize("fmt", ["csv-da", "long", "xlsx", "datapackage"])
def test_every_export_format_downloads(clients, round_, fmt):
    make_submission(round_, "360", VALID)
    response = clients["coordinator"].get(url(f"rounds/{SLUG}/export/?format={fmt}"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content
