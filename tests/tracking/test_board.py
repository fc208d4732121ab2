"""The tracking board page: who may see it, what it shows, filters, sorting, query count."""

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role
from reference.models import Municipality
from submissions.models import ChaseNote, Contact, Reminder
from tests.factories import make_round, make_submission, make_user
from tracking import board

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


# --- The board's rows are read in flat queries and sorted in Python (tracking.board
# board_rows / sort_rows); they must say and order exactly what the database expressions do.


@pytest.fixture
def varied_round(db, coordinator):
    """98 recipients with every state, shared and inactive officers, contact people with and
    without e-mail, reminders sent and undeliverable, notes on the same day, and ties."""
    rng = random.Random(7)
    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    round_ = make_round(codes=codes, slug="varied")
    now = timezone.now()
    states = [None, None, "draft", "returned", "submitted", "accepted"]
    for i, m in enumerate(round_.recipients.order_by("code")):
        kind = i % 7
        if kind in (0, 1, 2):
            make_user(Role.OFFICER, [m.code], name=rng.choice(["", "Bo", "Åse", "Ida"]))
        if kind == 1:
            make_user(Role.OFFICER, [m.code], is_active=False)
        if kind in (3, 4):
            Contact.objects.create(
                municipality=m,
                name=rng.choice(["Kim", "Eva"]),
                email=rng.choice(["", f"k{m.code}@x.dk"]),
                phone=rng.choice(["", "12345678"]),
            )
        state = rng.choice(states)
        if state:
            late = state == "submitted" and rng.random() < 0.3
            make_submission(round_, m.code, ANSWERS, state=state, late=late)
        for j in range(rng.randrange(4)):
            outcome = rng.choice(["sent", "sent", "no_recipients", "failed"])
            Reminder.objects.create(
                round=round_,
                municipality=m,
                claim_key=f"manual:{j}",
                outcome=outcome,
                sent_at=now - dt.timedelta(days=rng.randrange(3)) if outcome == "sent" else None,
            )
        for _ in range(rng.randrange(3)):
            ChaseNote.objects.create(
                round=round_,
                municipality=m,
                text=rng.choice(["ringede", "mail", "x" * 90]),
                author=coordinator,
                noted_on=now.date() - dt.timedelta(days=rng.randrange(2)),
            )
    return round_


def database_rows(round_):
    """The oracle: every recipient of the round with everything the board shows, computed by
    the database (correlated subqueries), sorted as the database sorts. The board computes
    the same in flat queries and Python; these tests hold the two to the same answers."""
    reminders = Reminder.objects.filter(round_id=round_.pk, municipality=OuterRef("pk"))
    sent = reminders.filter(outcome=Reminder.Outcome.SENT)
    notes = ChaseNote.objects.filter(round_id=round_.pk, municipality=OuterRef("pk")).order_by(
        "-noted_on", "-created_at", "-pk"
    )
    return (
        board.recipients(round_)
        .annotate(
            submission_id=F("sub__id"),
            submission_state=F("sub__state"),
            last_activity_at=F("sub__last_activity_at"),
            submitted_at=F("sub__submitted_at"),
            warning_count=F("sub__warning_count"),
            officer_count=Coalesce(
                Subquery(
                    Membership.objects.filter(municipality=OuterRef("pk"), user__is_active=True)
                    .values("municipality")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            reminders_sent=Coalesce(
                Subquery(
                    sent.values("municipality").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            last_reminder_at=Subquery(
                sent.values("municipality").annotate(m=Max("sent_at")).values("m")[:1],
                output_field=DateTimeField(),
            ),
            reminder_no_recipients=Exists(reminders.filter(outcome=Reminder.Outcome.NO_RECIPIENTS)),
            last_note_text=Subquery(notes.values("text")[:1]),
            last_note_on=Subquery(notes.values("noted_on")[:1]),
        )
        .annotate(state_rank=board._rank_expression())
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(user__is_active=True).order_by("user__name"),
                to_attr="officers",
            ),
            Prefetch(
                "contacts", queryset=Contact.objects.order_by("name"), to_attr="contact_people"
            ),
        )
        .order_by("state_rank", "name")
    )


def database_counters(round_):
    """The oracle for the counters: counted by the database."""
    by_state = {
        state: Count("pk", filter=Q(board_state=state))
        for state, _label in board.BoardState.choices
    }
    return board.Counters.of(board.recipients(round_).order_by().aggregate(**by_state))


def _row_values(row):
    return (
        row.code,
        row.board_state,
        row.state_rank,
        row.last_activity_at,
        row.submitted_at,
        row.warning_count,
        row.officer_count,
        row.reminders_sent,
        row.last_reminder_at,
        row.reminder_no_recipients,
        row.last_note_text,
        row.last_note_on,
    )


def test_board_rows_say_what_the_database_says(varied_round):
    expected = {m.code: m for m in database_rows(varied_round)}
    rows = board.board_rows(varied_round)
    assert len(rows) == len(expected) == 98
    for row in rows:
        m = expected[row.code]
        assert _row_values(row) == _row_values(m)
        assert [(o.name, o.email) for o in row.officers] == [
            (o.user.display_name, o.user.email) for o in m.officers
        ]
        assert [(c.name, c.email, c.phone) for c in row.contact_people] == [
            (c.name, c.email, c.phone) for c in m.contact_people
        ]
    assert {r.board_state for r in rows} == set(board.BoardState.rank)
    assert board.board_counters(rows) == database_counters(varied_round)


# The oracle's order for each column the board can sort by, in the database's own terms (the
# submission's columns, the subqueries of `database_rows`), not the board's row attributes: a
# sort key that reads the wrong attribute sorts differently from these.
DB_ORDER = {
    "name": F("name"),
    "code": F("code"),
    "state": F("state_rank"),
    "region": F("region_name"),
    "group": F("dst_group"),
    "activity": F("sub__last_activity_at"),
    "submitted": F("sub__submitted_at"),
    "officers": F("officer_count"),
    "reminders": F("reminders_sent"),
    "last_reminder": F("last_reminder_at"),
    "note": F("last_note_on"),
}


def test_every_sort_key_and_every_sortable_column_has_an_oracle():
    from tracking.views import COLUMNS

    assert set(DB_ORDER) == set(board.SORT_KEYS)
    assert {key for key, _label in COLUMNS} <= set(board.SORT_KEYS)


@pytest.mark.parametrize(
    "sort",
    [
        *board.SORT_KEYS,
        *(f"-{k}" for k in board.SORT_KEYS),
        "state,-reminders",
        "-officers,note",
        "submitted,-activity",
    ],
)
def test_the_board_sorts_every_column_as_the_database_does(varied_round, as_coordinator, sort):
    """Empty values last in both directions, the code as tiebreak."""
    order = []
    for param in sort.split(","):
        expr = DB_ORDER[param.removeprefix("-")]
        order.append(
            expr.desc(nulls_last=True) if param.startswith("-") else expr.asc(nulls_last=True)
        )
    expected = [m.code for m in database_rows(varied_round).order_by(*order, "code")]
    rows = as_coordinator.get("/opfoelgning/varied/", {"sort": sort}).context["rows"]
    assert [r.code for r in rows] == expected


def test_the_default_order_is_furthest_from_done_first_then_by_name(varied_round, as_coordinator):
    expected = [m.code for m in database_rows(varied_round)]
    rows = as_coordinator.get("/opfoelgning/varied/").context["rows"]
    assert [r.code for r in rows] == expected


@pytest.mark.parametrize("state", [*board.BoardState.rank, "missing", "review"])
def test_the_state_filter_picks_what_the_database_filter_picks(varied_round, as_coordinator, state):
    states = board.STATE_FILTERS.get(state, (state,))
    expected = set(
        database_rows(varied_round)
        .filter(board_state__in=states, region_name="Region Hovedstaden")
        .values_list("code", flat=True)
    )
    response = as_coordinator.get(
        "/opfoelgning/varied/", {"state": state, "region": "Region Hovedstaden"}
    )
    assert {r.code for r in response.context["rows"]} == expected
    # The counters are the whole round's, whatever the filter.
    assert response.context["counts"].total == 98


def test_an_invalid_sort_is_ignored_and_the_filters_still_apply(varied_round, as_coordinator):
    rows = as_coordinator.get(
        "/opfoelgning/varied/", {"sort": "name,--code", "region": "Region Hovedstaden"}
    ).context["rows"]
    assert {r.region_name for r in rows} == {"Region Hovedstaden"}
    assert [r.code for r in rows] == [
        m.code for m in database_rows(varied_round).filter(region_name="Region Hovedstaden")
    ]


def test_a_row_shows_contacts_reminders_and_notes_escaped_and_shortened(
    round_, as_coordinator, coordinator
):
    """The rows are built in Python (tracking/board_html.py): every value escaped."""
    m = Municipality.objects.get(code="147")
    Contact.objects.create(municipality=m, name="<b>Kim</b>", email="k@x.dk", phone="+45 1")
    Reminder.objects.create(
        round=round_, municipality=m, claim_key="manual:a", outcome="no_recipients"
    )
    Reminder.objects.create(
        round=round_,
        municipality=m,
        claim_key="manual:b",
        outcome="sent",
        sent_at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC),  # 3 March in Copenhagen
    )
    ChaseNote.objects.create(
        round=round_,
        municipality=m,
        text="<script>x</script> " + "lang " * 30,
        author=coordinator,
        noted_on=dt.date(2026, 3, 4),
    )
    html = as_coordinator.get("/opfoelgning/feb-2026/").content.decode()
    row = re.search(
        r'<tr>\s*<td><div class="form-group-checkbox">[^\n]*pick-147.*?</tr>', html, re.S
    )
    assert row, "no row with a checkbox for 147"
    row = row.group(0)
    assert '&lt;b&gt;Kim&lt;/b&gt; &lt;<a href="mailto:k@x.dk">k@x.dk</a>&gt; · +45 1' in row
    assert "(kontakt)" in row
    assert "1 · 3. marts 2026" in row and "ingen modtager" in row
    assert "4. marts 2026: &lt;script&gt;x&lt;/script&gt; lang" in row and "…" in row
    assert "<script>" not in row
