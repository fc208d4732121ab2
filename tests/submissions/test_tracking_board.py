"""The tracking board page: who may see it, what it shows, filters, sorting, query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from submissions.models import ChaseNote, Contact, Reminder
from surveys.models import Municipality
from tests.factories import make_round, make_submission, make_user

ANSWERS = {"pupils_8_9": 200, "enrolled": 10}


@pytest.fixture
def round_(db):
    return make_round(codes=["360", "727", "101", "147"], slug="feb-2026", title="Februar 2026")


def test_the_board_shows_counters_deadline_chart_and_one_row_per_recipient(
    round_, as_coordinator, lolland
):
    make_submission(round_, "727", ANSWERS, state="submitted")
    make_submission(round_, "101", ANSWERS, state="accepted")
    response = as_coordinator.get("/opfoelgning/feb-2026/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 af 4 har svaret" in html
    assert "2 mangler" in html
    assert "1 venter på godkendelse" in html
    assert "dage tilbage" in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "Vis tallene som tabel" in html
    for name in ("Lolland", "Odder", "København", "Frederiksberg"):
        assert name in html
    assert "officer@lolland.dk" in html
    assert "style=" not in html and "<script>" not in html


def test_the_board_filters_by_state_region_and_group(round_, as_coordinator, lolland):
    make_submission(round_, "727", ANSWERS, state="submitted")
    rows = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "submitted"}).context["rows"]
    assert [m.code for m in rows] == ["727"]
    rows = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "missing"}).context["rows"]
    assert sorted(m.code for m in rows) == ["101", "147", "360"]
    rows = as_coordinator.get("/opfoelgning/feb-2026/", {"region": "Region Hovedstaden"}).context[
        "rows"
    ]
    assert sorted(m.code for m in rows) == ["101", "147"]
    rows = as_coordinator.get("/opfoelgning/feb-2026/", {"group": "Landkommuner"}).context["rows"]
    assert {m.dst_group for m in rows} <= {"Landkommuner"}


def test_an_unknown_filter_value_is_ignored_with_the_full_list(round_, as_coordinator):
    response = as_coordinator.get("/opfoelgning/feb-2026/", {"state": "bogus", "sort": "x;drop"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 4


@pytest.mark.parametrize(
    "sort, first",
    [("name", "147"), ("-name", "727"), ("code", "101"), ("-code", "727"), ("state", "147")],
)
def test_the_board_sorts_by_a_column(round_, as_coordinator, sort, first):
    make_submission(round_, "727", ANSWERS, state="accepted")
    make_submission(round_, "360", ANSWERS, state="draft")
    make_user(Role.OFFICER, ["101"])
    rows = as_coordinator.get("/opfoelgning/feb-2026/", {"sort": sort}).context["rows"]
    assert rows[0].code == first


def test_sorting_by_activity_puts_empty_values_last(round_, as_coordinator):
    make_submission(round_, "727", ANSWERS, state="draft")
    for sort in ("activity", "-activity"):
        rows = as_coordinator.get("/opfoelgning/feb-2026/", {"sort": sort}).context["rows"]
        assert rows[0].code == "727"


def _populate(round_, coordinator):
    """Every kind of data a row shows, for every recipient."""
    now = timezone.now()
    for i, m in enumerate(round_.recipients.all()):
        make_user(Role.OFFICER, [m.code])
        Contact.objects.create(municipality=m, name=f"Kontakt {m.code}", email=f"k{m.code}@x.dk")
        ChaseNote.objects.create(
            round=round_, municipality=m, text="ringede", author=coordinator, noted_on=now.date()
        )
        Reminder.objects.create(
            round=round_, municipality=m, claim_key="manual:x", outcome="sent", sent_at=now
        )
        if i % 3 == 0:
            make_submission(round_, m.code, ANSWERS, state="submitted")


def _count_board_queries(client, slug):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/opfoelgning/{slug}/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_query_count_does_not_grow_with_the_number_of_municipalities(
    db, coordinator, as_coordinator, django_assert_num_queries
):
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    small = make_round(codes=codes[:10], slug="small")
    large = make_round(codes=codes, slug="large")
    assert large.recipients.count() == 98
    _populate(small, coordinator)
    _populate(large, coordinator)
    as_coordinator.get("/opfoelgning/small/")  # warm the session and caches
    n_small = _count_board_queries(as_coordinator, "small")
    with django_assert_num_queries(n_small):
        response = as_coordinator.get("/opfoelgning/large/")
    assert len(response.context["rows"]) == 98
    assert all(len(row.officers) >= 1 for row in response.context["rows"])


def test_the_board_renders_1000_municipalities_quickly(db, coordinator, as_coordinator):
    Municipality.objects.bulk_create(
        Municipality(
            code=str(1000 + i),
            name=f"Syntetisk {i}",
            region_code="1081",
            region_name="Region Nordjylland",
            dst_group="Landkommuner",
            is_synthetic=True,
        )
        for i in range(1000)
    )
    round_ = make_round(codes=None, slug="big")
    round_.recipients.set(Municipality.objects.filter(is_synthetic=True))
    started = dt.datetime.now()
    response = as_coordinator.get("/opfoelgning/big/")
    elapsed = (dt.datetime.now() - started).total_seconds()
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1000
    assert elapsed < 10  # generous: a guard against accidental N+1, not a benchmark
