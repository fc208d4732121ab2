"""The coordinator's tracking board: one row per recipient municipality of a round, with its
state, activity, officers, reminders and latest chase note; counters; the response rate over time.

Everything is computed in a constant number of queries, whatever the number of recipients. The
state is one database expression (`recipients`).

`board_rows` is the one selector of a round's recipients with their state: the board page, the
close page, both non-responder lists and the API's round status all read it. It takes the
recipients with their submission and state in one query, then officers, contact people,
reminders and the latest notes as four flat queries keyed by municipality; callers filter,
count and sort the rows in Python (`filter_rows`, `board_counters`, `sort_rows`). No correlated
subqueries: at 1,000 municipalities the five queries take ~15 ms together.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Extract, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import active_memberships, has_active_officer
from reference.models import Municipality
from submissions.models import ChaseNote, Contact, Reminder, Submission, SubmissionState
from surveys.models import Round

S = SubmissionState


class BoardState:
    """A municipality's state on the board. `late` = submitted after the deadline (awaiting
    review, flagged); `no_contact` = nothing started and nobody to write to (no active officer
    and no recorded contact person) — the coordinator's first job."""

    NO_CONTACT = "no_contact"
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    RETURNED = "returned"
    SUBMITTED = "submitted"
    LATE = "late"
    ACCEPTED = "accepted"

    choices = [
        (NOT_STARTED, _("Ikke startet")),
        (NO_CONTACT, _("Ingen kontaktperson")),
        (DRAFT, _("Kladde")),
        (RETURNED, _("Sendt retur")),
        (SUBMITTED, _("Indsendt")),
        (LATE, _("Indsendt for sent")),
        (ACCEPTED, _("Godkendt")),
    ]
    labels = dict(choices)
    # The order the board sorts states in: furthest from done first.
    rank = {
        NO_CONTACT: 0,
        NOT_STARTED: 1,
        RETURNED: 2,
        DRAFT: 3,
        LATE: 4,
        SUBMITTED: 5,
        ACCEPTED: 6,
    }
    # The one state → badge map (DKFDS badge classes), for the board rows and every template.
    badges = {
        ACCEPTED: "badge-success",
        SUBMITTED: "badge-info",
        LATE: "badge-info",
        RETURNED: "badge-error",
        NO_CONTACT: "badge-error",
        DRAFT: "badge-warning",
    }
    RESPONDED = (SUBMITTED, LATE, ACCEPTED)
    NOT_RESPONDED = (NO_CONTACT, NOT_STARTED, DRAFT, RETURNED)
    AWAITING_REVIEW = (SUBMITTED, LATE)


def _by_state(value=lambda state: state, output_field=None):
    """A CASE over the submission and the contacts giving `value(state)` for the board state:
    the state itself, or its rank. The rank is its own CASE on the same conditions rather than
    a CASE over `board_state`, which Django would inline once per state (seven copies of the
    state expression and its EXISTS subqueries in the SQL)."""
    return Case(
        When(sub__state=S.ACCEPTED, then=Value(value(BoardState.ACCEPTED))),
        When(sub__state=S.SUBMITTED, sub__late=True, then=Value(value(BoardState.LATE))),
        When(sub__state=S.SUBMITTED, then=Value(value(BoardState.SUBMITTED))),
        When(sub__state=S.RETURNED, then=Value(value(BoardState.RETURNED))),
        When(sub__state=S.DRAFT, then=Value(value(BoardState.DRAFT))),
        When(has_officer=False, has_contact=False, then=Value(value(BoardState.NO_CONTACT))),
        default=Value(value(BoardState.NOT_STARTED)),
        output_field=output_field or CharField(),
    )


def _state_expression():
    return _by_state()


def _rank_expression():
    return _by_state(BoardState.rank.get, IntegerField())


def recipients(round_: Round) -> QuerySet[Municipality]:
    """Every recipient municipality of the round, joined to its submission in the round (`sub`)
    and annotated with its board state: the one definition of the state, and so of who has
    responded (`BoardState.RESPONDED`) and who not (`not_responded`)."""
    return (
        Municipality.objects.filter(rounds=round_)
        .annotate(
            sub=FilteredRelation("submissions", condition=Q(submissions__round_id=round_.pk)),
            has_officer=has_active_officer(),
            has_contact=Exists(Contact.objects.filter(municipality=OuterRef("pk"))),
        )
        .annotate(board_state=_state_expression())
    )


def not_responded(round_: Round) -> QuerySet[Municipality]:
    """The recipients that have not responded (no submission, a draft, returned for
    correction): the board's "missing", the reminders' targets."""
    return recipients(round_).filter(board_state__in=BoardState.NOT_RESPONDED).order_by("code")


@dataclass
class Counters:
    total: int = 0
    responded: int = 0
    awaiting_review: int = 0
    accepted: int = 0
    late: int = 0
    by_state: dict = field(default_factory=dict)

    @property
    def missing(self):
        return self.total - self.responded

    @property
    def percent(self):
        return round(100 * self.responded / self.total) if self.total else 0

    @classmethod
    def of(cls, by_state):
        """Counters from the number of recipients in each board state."""
        states = {state: by_state.get(state, 0) for state, _label in BoardState.choices}
        return cls(
            total=sum(states.values()),
            responded=sum(states[s] for s in BoardState.RESPONDED),
            awaiting_review=sum(states[s] for s in BoardState.AWAITING_REVIEW),
            accepted=states[BoardState.ACCEPTED],
            late=states[BoardState.LATE],
            by_state=states,
        )


# --- The board page: flat queries, rows in Python


@dataclass(slots=True)
class Officer:
    name: str  # the user's display name
    email: str
    phone: str = ""


@dataclass(slots=True)
class ContactPerson:
    name: str
    email: str
    phone: str
    title: str = ""


@dataclass(slots=True)
class BoardRow:
    """One recipient on the board: plain values, no model instance."""

    code: str
    name: str
    region_name: str
    dst_group: str
    board_state: str
    last_activity_at: dt.datetime | None
    submitted_at: dt.datetime | None
    warning_count: int | None
    late: bool | None  # the submission was submitted after the deadline
    name_rank: int  # position of the name in the database's collation (ties share it)
    officers: list = field(default_factory=list)  # active officers, by name
    contact_people: list = field(default_factory=list)  # by name
    reminders_sent: int = 0
    last_reminder_at: dt.datetime | None = None
    reminder_no_recipients: bool = False
    last_note_text: str | None = None
    last_note_on: dt.date | None = None
    attributes: dict = field(default_factory=dict)  # the register's attributes of the member

    @property
    def state_rank(self):
        return BoardState.rank[self.board_state]

    @property
    def state_label(self):
        return BoardState.labels[self.board_state]

    @property
    def badge(self):
        return BoardState.badges.get(self.board_state, "")

    @property
    def officer_count(self):
        return len(self.officers)

    @property
    def responded(self):
        return self.board_state in BoardState.RESPONDED

    @property
    def emails(self):
        """Who a reminder to this municipality goes to (`reminder_addresses`)."""
        return reminder_addresses(self.officers, self.contact_people)


def reminder_addresses(
    officers: Iterable[Officer], contact_people: Iterable[ContactPerson]
) -> list[str]:
    """The one rule of who a reminder is written to: the active officers and the recorded
    contact people that have an e-mail address, each address once, sorted."""
    return sorted({p.email.lower() for p in (*officers, *contact_people) if p.email})


def people_by_municipality(
    where: Q,
) -> tuple[dict[int, list[Officer]], dict[int, list[ContactPerson]]]:
    """({municipality id: [Officer]}, {municipality id: [ContactPerson]}) for the municipalities
    `where` selects (a Q on `municipality__…`): active officers by name, then contact people
    by name, in two flat queries. The board and the reminders both read people here."""
    officers, contacts = {}, {}
    for pk, name, email, phone in (
        active_memberships()
        .filter(where)
        .order_by("user__name", "user__email")
        .values_list("municipality_id", "user__name", "user__email", "user__phone")
    ):
        officers.setdefault(pk, []).append(Officer(name or email, email, phone))
    for pk, name, email, phone, title in (
        Contact.objects.filter(where)
        .order_by("name")
        .values_list("municipality_id", "name", "email", "phone", "title")
    ):
        contacts.setdefault(pk, []).append(ContactPerson(name, email, phone, title))
    return officers, contacts


def _seconds(field):
    """A timestamp to read with `_moment`: on PostgreSQL as seconds since 1970 (float8), which
    `_moment` turns into a datetime in one C call, where the driver's timestamptz loader is
    Python code (~2.5 µs a value, ~3,000 values a board); elsewhere the field itself."""
    if connection.vendor != "postgresql":
        return F(field) if isinstance(field, str) else field
    return Cast(Extract(field, "epoch", tzinfo=dt.UTC), FloatField())


def _moment(value: float | dt.datetime | None) -> dt.datetime | None:
    """The aware UTC datetime of a `_seconds` value (exact to the microsecond: a float8 holds an
    epoch in seconds to ~0.2 µs, and fromtimestamp rounds to the nearest microsecond)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _attributes(text: str | None) -> dict:
    """A member's `attributes` read as text: most are `{}`, decoded only when not."""
    if not text or text == "{}":
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def board_rows(round_: Round) -> list[BoardRow]:
    """Every recipient of the round as a BoardRow, in name order, in five queries whatever the
    number of recipients: the recipients with their submission and state, then officers,
    contact people, reminders (counted per municipality) and the latest chase note of each
    municipality — each one flat query keyed by municipality, none correlated per row."""
    rows, name_rank, previous = {}, -1, None
    for pk, code, name, region, group, state, activity, submitted, warnings, late, attrs in (
        recipients(round_)
        .order_by("name", "code")
        .annotate(
            activity_s=_seconds("sub__last_activity_at"),
            submitted_s=_seconds("sub__submitted_at"),
            attributes_text=Cast("attributes", TextField()),
        )
        .values_list(
            "pk",
            "code",
            "name",
            "region_name",
            "dst_group",
            "board_state",
            "activity_s",
            "submitted_s",
            "sub__warning_count",
            "sub__late",
            "attributes_text",
        )
    ):
        if name != previous:
            name_rank, previous = name_rank + 1, name
        rows[pk] = row = BoardRow(
            code,
            name,
            region,
            group,
            state,
            _moment(activity),
            _moment(submitted),
            warnings,
            late,
            name_rank,
        )
        row.attributes = _attributes(attrs)
    officers, contacts = people_by_municipality(Q(municipality__rounds=round_))
    for pk, row in rows.items():
        row.officers = officers.get(pk, [])
        row.contact_people = contacts.get(pk, [])
    sent = Q(outcome=Reminder.Outcome.SENT)
    reminders = (
        Reminder.objects.filter(round_id=round_.pk)
        .order_by()
        .values("municipality_id")
        .annotate(
            n=Count("pk", filter=sent),
            last=Max(_seconds("sent_at"), filter=sent),
            nobody=Count("pk", filter=Q(outcome=Reminder.Outcome.NO_RECIPIENTS)),
        )
        .values_list("municipality_id", "n", "last", "nobody")
    )
    for pk, n, last, nobody in reminders:
        if row := rows.get(pk):
            row.reminders_sent, row.last_reminder_at = n, _moment(last)
            row.reminder_no_recipients = nobody > 0
    latest_notes = (
        ChaseNote.objects.filter(round_id=round_.pk)
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=F("municipality_id"),
                order_by=[F("noted_on").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(newest=1)
        .values_list("municipality_id", "text", "noted_on")
    )
    for pk, text, noted_on in latest_notes:
        if row := rows.get(pk):
            row.last_note_text, row.last_note_on = text, noted_on
    return list(rows.values())


def board_counters(rows: Iterable[BoardRow]) -> Counters:
    """Counters over board rows (the whole round, before any filter)."""
    return Counters.of(Counter(row.board_state for row in rows))


STATE_FILTERS = {
    "missing": BoardState.NOT_RESPONDED,
    "review": BoardState.AWAITING_REVIEW,
}


def filter_rows(
    rows: Iterable[BoardRow],
    *,
    state: str | None = None,
    region: str | None = None,
    group: str | None = None,
    attributes: dict | None = None,
) -> list[BoardRow]:
    """The rows in a state (a board state, "missing" or "review"), region and municipality
    group, and with the given values of the register's attributes ({key: value}, for rounds of
    other registers); an empty value does not filter."""
    if state:
        states = STATE_FILTERS.get(state, (state,))
        rows = [r for r in rows if r.board_state in states]
    if region:
        rows = [r for r in rows if r.region_name == region]
    if group:
        rows = [r for r in rows if r.dst_group == group]
    for key, value in (attributes or {}).items():
        if value:
            rows = [r for r in rows if str(r.attributes.get(key, "")) == value]
    return rows


# Sort parameter → the row attribute it sorts on. Names sort in the database's collation.
SORT_KEYS = {
    "name": "name_rank",
    "code": "code",
    "state": "state_rank",
    "region": "region_name",
    "group": "dst_group",
    "activity": "last_activity_at",
    "submitted": "submitted_at",
    "officers": "officer_count",
    "reminders": "reminders_sent",
    "last_reminder": "last_reminder_at",
    "note": "last_note_on",
}


def sort_rows(rows: Iterable[BoardRow], sort: Sequence[str] = ()) -> list[BoardRow]:
    """The rows sorted by each of `sort` in turn ("state", "-activity", …: see SORT_KEYS),
    empty values last in both directions and the code as tiebreak; without `sort`, furthest
    from done first, then by name."""
    if not sort:
        return sorted(rows, key=lambda r: (r.state_rank, r.name_rank, r.code))
    rows = sorted(rows, key=lambda r: r.code)
    for param in reversed(sort):  # stable sorts, the last key first
        descending = param.startswith("-")
        attr = SORT_KEYS[param.lstrip("-")]
        if descending:  # (False, None) sorts after every (True, value)
            rows.sort(key=lambda r: (getattr(r, attr) is not None, getattr(r, attr)), reverse=True)
        else:
            rows.sort(key=lambda r: (getattr(r, attr) is None, getattr(r, attr)))
    return rows


# --- Deadline


@dataclass
class DeadlineInfo:
    deadline: dt.datetime
    days_left: int  # negative once passed (calendar days, local time)
    passed: bool

    @property
    def days_overdue(self):
        return max(0, -self.days_left)


def deadline_info(round_: Round, now: dt.datetime | None = None) -> DeadlineInfo:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    days = (timezone.localtime(round_.deadline).date() - today).days
    return DeadlineInfo(round_.deadline, days, now > round_.deadline)


# --- Response rate over time


@dataclass
class SeriesPoint:
    day: dt.date
    responded: int
    percent: float


def first_responses(round_: Round) -> list[dt.datetime]:
    """When each municipality that has responded by now first submitted (a returned and
    resubmitted answer counts from its first submission)."""
    first = Coalesce(
        Min("revisions__created_at", filter=Q(revisions__action="submit")),
        F("submitted_at"),
        F("last_activity_at"),
    )
    return [
        _moment(value)
        for value in Submission.objects.filter(
            round_id=round_.pk,
            municipality__rounds=round_,
            state__in=(S.SUBMITTED, S.ACCEPTED),
        )
        .annotate(first=_seconds(first))
        .values_list("first", flat=True)
    ]


def response_series(
    round_: Round, *, total: int, now: dt.datetime | None = None
) -> list[SeriesPoint]:
    """One point per day from the opening to today (or the closing): how many had responded
    by the end of that day. `total` is the number of recipients."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    times = sorted(t.astimezone(tz).date() for t in first_responses(round_) if t)
    start_at = round_.opened_at or round_.created_at
    start = timezone.localtime(start_at).date()
    end_at = round_.closed_at if round_.is_closed and round_.closed_at else now
    end = max(timezone.localtime(end_at).date(), start)
    if times:
        start = min(start, times[0])
    points, i, count = [], 0, 0
    day = start
    while day <= end:
        while i < len(times) and times[i] <= day:
            count += 1
            i += 1
        percent = round(100 * count / total, 1) if total else 0.0
        points.append(SeriesPoint(day, count, percent))
        day += dt.timedelta(days=1)
    return points


def series_changes(series: Sequence[SeriesPoint]) -> list[SeriesPoint]:
    """The days on which the count changed, with the first and the last day: the table that
    stands in for the chart stays short on a long round."""
    out = []
    for i, point in enumerate(series):
        if i in (0, len(series) - 1) or point.responded != series[i - 1].responded:
            out.append(point)
    return out


@dataclass
class Chart:
    """Coordinates of a server-rendered SVG line chart (0–100 % on the y axis)."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    points: str
    area: str
    y_ticks: list
    x_labels: list
    deadline_x: float | None
    last: SeriesPoint | None


def response_chart(
    series: Sequence[SeriesPoint],
    *,
    deadline: dt.datetime | None = None,
    width: int = 640,
    height: int = 240,
) -> Chart:
    left, right, top, bottom = 44, 16, 12, 36
    pw, ph = width - left - right, height - top - bottom
    n = len(series)

    def x(i):
        return round(left + (pw * i / (n - 1) if n > 1 else pw / 2), 1)

    def y(percent):
        return round(top + ph - ph * percent / 100, 1)

    coords = [(x(i), y(p.percent)) for i, p in enumerate(series)]
    points = " ".join(f"{cx},{cy}" for cx, cy in coords)
    area = ""
    if coords:
        area = f"{coords[0][0]},{top + ph} {points} {coords[-1][0]},{top + ph}"
    y_ticks = [{"y": y(v), "label": f"{v} %"} for v in (0, 25, 50, 75, 100)]
    x_labels = []
    if n:
        picks = sorted({0, n - 1} | ({(n - 1) // 2} if n > 4 else set()))
        x_labels = [{"x": x(i), "day": series[i].day} for i in picks]
    deadline_x = None
    if deadline is not None and n:
        d = timezone.localtime(deadline).date()
        offset = (d - series[0].day).days
        if 0 <= offset < n:
            deadline_x = x(offset)
    return Chart(
        width,
        height,
        left,
        top,
        pw,
        ph,
        points,
        area,
        y_ticks,
        x_labels,
        deadline_x,
        series[-1] if series else None,
    )


def form_path(round_: Round, municipality: Municipality) -> str:
    """The officer form of a municipality in a round (built by the forms issue)."""
    return f"/indberet/{round_.slug}/{municipality.code}/"
