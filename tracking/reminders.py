"""Reminders to municipalities that have not submitted: the template, its variables, sending by
hand (from the board) and by the round's schedule (`manage.py send_reminders`).

Every reminder is claimed before it is sent by inserting its Reminder row, whose
(round, municipality, claim_key) is unique: a scheduled step is "schedule:<offset>", a press of
the send button "manual:<nonce>" (the form carries the nonce). Whoever inserts the row sends;
a second run, a second machine or a second press finds the row and sends nothing. The rows are
inserted in one transaction with the audit entry, and the e-mails go out after commit, each
delivery claimed again by a conditional update (`deliver`), so a retried task never sends twice.
"""

import datetime as dt
import logging
import re
import string
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import formatting
from accounts.audit import record
from accounts.models import User
from lib import api_schema
from lib.mail import EMAIL_LANGUAGE
from reference.models import Municipality
from submissions.models import Reminder
from submissions.services import ServiceError
from surveys.models import Round, RoundState
from tracking import tasks
from tracking.board import (
    form_path,
    not_responded,
    people_by_municipality,
    reminder_addresses,
)

log = logging.getLogger(__name__)

VARIABLES = ("round", "deadline", "link", "municipality")
MAX_SUBJECT = 200
MAX_BODY = 10000
MIN_OFFSET, MAX_OFFSET, MAX_OFFSETS = -90, 90, 10
# A pending reminder whose delivery task was lost (crash between commit and enqueue) is
# picked up again by `send_reminders` after this long.
STALE_PENDING = dt.timedelta(minutes=10)


class TemplateProblem(ServiceError):
    code = "bad_template"


ROUND_CLOSED = _("Runden er lukket. Der kan ikke sendes påmindelser i en lukket runde.")
ROUND_NOT_OPEN = _("Runden er ikke åbnet endnu. Påmindelser kan sendes, når runden er åben.")
NOTHING_SELECTED = _("Vælg mindst én kommune, der ikke har indsendt.")

# A member's code as the tracking pages' URLs and the API take it (any register: a
# municipality's three digits, a school's "S05"), and how many one reminder may name: fewer than
# Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1000), so the page's form carries as many as the API.
CODE_PATTERN = api_schema.CODE_PATTERN
MAX_CODES = 900
_CODE = re.compile(CODE_PATTERN)


def parse_codes(values: object) -> list[str]:
    """The municipality codes a reminder is sent to, as the page's checkboxes and the API's
    list give them: the one parser, so both accept the same codes (the API schema states the
    same pattern and limit). Raises ServiceError("invalid_codes") for anything else."""
    if (
        not isinstance(values, list | tuple)
        or len(values) > MAX_CODES
        or not all(isinstance(c, str) and _CODE.match(c) for c in values)
    ):
        raise ServiceError(
            _(
                "Vælg modtagere ved deres kode (store bogstaver, cifre, - og _; "
                "højst %(max)s koder)."
            )
            % {"max": MAX_CODES},
            "invalid_codes",
        )
    return sorted(set(values))


# --- The template


def default_template() -> tuple[str, str]:
    """The Danish default subject and body, from templates/email/reminder_*.txt."""
    with translation.override(EMAIL_LANGUAGE):
        subject = render_to_string("email/reminder_subject.txt").strip()
        body = render_to_string("email/reminder_body.txt").strip() + "\n"
    return subject, body


def round_template(round_: Round) -> tuple[str, str]:
    """The round's own template, or the default where it has none."""
    subject, body = default_template()
    return (round_.reminder_subject or subject), (round_.reminder_body or body)


def _fields(text, what):
    """The {variables} used in a text; refuses unknown ones, positional {}, format specs and
    unbalanced braces, naming what is wrong."""
    names = []
    known = ", ".join("{" + v + "}" for v in VARIABLES)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise TemplateProblem(
            _(
                "%(what)s har en krøllet parentes uden sin partner. Brug %(known)s; "
                "skriv {{ og }} for en krøllet parentes."
            )
            % {"what": what, "known": known}
        )
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in VARIABLES or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateProblem(
                _("%(what)s bruger en ukendt variabel: %(shown)s. De mulige er %(known)s.")
                % {"what": what, "shown": shown, "known": known},
                "unknown_variable",
            )
        names.append(name)
    return names


SUBJECT = _("Emnet")
BODY = _("Teksten")


def check_template(subject: str, body: str) -> tuple[str, str]:
    """Refuse an empty or too long template or one with an unknown variable (nothing is sent)."""
    subject, body = (subject or "").strip(), (body or "").strip()
    for value, what, limit in ((subject, SUBJECT, MAX_SUBJECT), (body, BODY, MAX_BODY)):
        if not value:
            raise TemplateProblem(_("%(what)s er tom.") % {"what": what}, "empty_template")
        if len(value) > limit:
            raise TemplateProblem(
                _("%(what)s er for lang (%(length)s tegn, højst %(max)s).")
                % {"what": what, "length": len(value), "max": limit}
            )
    _fields(subject, SUBJECT)
    _fields(body, BODY)
    if "\n" in subject or "\r" in subject:
        raise TemplateProblem(_("Emnet skal stå på én linje."))
    return subject, body + "\n"


def format_deadline(deadline: dt.datetime) -> str:
    with translation.override(EMAIL_LANGUAGE):
        return formatting.when(deadline)


def variables(round_: Round, municipality: Municipality) -> dict[str, str]:
    return {
        "round": str(round_),
        "deadline": format_deadline(round_.deadline),
        "link": settings.SITE_URL + form_path(round_, municipality),
        "municipality": municipality.name,
    }


def render(
    round_: Round, municipality: Municipality, *, subject: str, body: str
) -> tuple[str, str]:
    """A checked template filled in for one municipality."""
    values = variables(round_, municipality)
    return subject.format(**values), body.format(**values)


# --- Who gets it


def recipients_by_municipality(municipality_ids: Sequence[int]) -> dict[int, list[str]]:
    """{municipality id: sorted e-mail addresses}: the board's people of each municipality
    (`board.people_by_municipality`) by the board's rule (`board.reminder_addresses`)."""
    officers, contacts = people_by_municipality(Q(municipality_id__in=municipality_ids))
    return {
        mid: reminder_addresses(officers.get(mid, ()), contacts.get(mid, ()))
        for mid in municipality_ids
    }


# --- Claiming and sending


@dataclass
class SendResult:
    sent: list = field(default_factory=list)  # Reminder rows claimed with recipients
    no_recipients: list = field(default_factory=list)  # Municipality rows with no e-mail
    already: list = field(default_factory=list)  # Municipality rows claimed before
    skipped_responded: list = field(default_factory=list)  # selected but already submitted

    @property
    def claimed(self):
        return len(self.sent) + len(self.no_recipients)


def _claim(round_, municipalities, claim_key, kind, subject, body, user, result):
    """Insert one Reminder row per municipality; a row that exists already (another run,
    another press) is left alone. Must run inside a transaction."""
    emails = recipients_by_municipality([m.pk for m in municipalities])
    now = timezone.now()
    for m in municipalities:
        to = emails.get(m.pk, [])
        subj, text = render(round_, m, subject=subject, body=body)
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    round=round_,
                    municipality=m,
                    claim_key=claim_key,
                    kind=kind,
                    recipients=to,
                    subject=subj,
                    body=text,
                    outcome=Reminder.Outcome.PENDING if to else Reminder.Outcome.NO_RECIPIENTS,
                    created_at=now,
                    created_by=user,
                )
        except IntegrityError:
            result.already.append(m)
            continue
        if to:
            result.sent.append(reminder)
        else:
            result.no_recipients.append(m)


def _deliver_after_commit(result):
    ids = [r.pk for r in result.sent]
    if ids:
        transaction.on_commit(lambda: [tasks.deliver_reminder.enqueue(i) for i in ids])


def _check_round(round_):
    if round_.state == RoundState.CLOSED:
        raise ServiceError(ROUND_CLOSED, "round_closed")
    if round_.state != RoundState.OPEN:
        raise ServiceError(ROUND_NOT_OPEN, "round_not_open")


def new_nonce() -> str:
    return uuid.uuid4().hex


def valid_nonce(nonce: str) -> bool:
    try:
        return uuid.UUID(hex=nonce).hex == nonce
    except (TypeError, ValueError, AttributeError):
        return False


def send_manual(
    round_: Round,
    *,
    actor: User,
    codes: Iterable[str] = (),
    all_not_submitted: bool = False,
    subject: str,
    body: str,
    nonce: str,
    ip: str | None = None,
) -> SendResult:
    """Send a reminder, from the board, to the chosen recipients or to all who have not
    submitted. Pressing twice (the same nonce) sends once. Refuses, before anything is claimed:
    a round that is not open, an empty template, an unknown variable, a code that is not one
    (`parse_codes`), an unknown municipality."""
    codes = parse_codes(list(codes))
    _check_round(round_)
    subject, body = check_template(subject, body)
    if not valid_nonce(nonce):
        raise ServiceError(
            _("Formularen er udløbet. Åbn siden igen, og send påmindelsen derfra."),
            "bad_nonce",
        )
    pending = list(not_responded(round_))
    result = SendResult()
    if all_not_submitted:
        targets = pending
    else:
        chosen = list(Municipality.objects.filter(rounds=round_, code__in=codes).order_by("code"))
        unknown = sorted(set(codes) - {m.code for m in chosen})
        if unknown:
            raise ServiceError(
                _("Ukendt kommune for denne runde: %(codes)s.") % {"codes": ", ".join(unknown)},
                "unknown_municipality",
            )
        open_ids = {m.pk for m in pending}
        targets = [m for m in chosen if m.pk in open_ids]
        result.skipped_responded = [m for m in chosen if m.pk not in open_ids]
    if not targets:
        raise ServiceError(NOTHING_SELECTED, "nothing_selected")
    with transaction.atomic():
        _claim(round_, targets, f"manual:{nonce}", "manual", subject, body, actor, result)
        if result.claimed:
            record(
                "reminders.sent",
                actor=actor,
                ip=ip,
                obj=round_,
                detail={
                    "claim_key": f"manual:{nonce}",
                    "sent": [r.municipality.code for r in result.sent],
                    "no_recipients": [m.code for m in result.no_recipients],
                },
            )
        _deliver_after_commit(result)
    return result


# --- The schedule


def clean_offsets(values: Iterable) -> list[int]:
    """Offsets in days relative to the deadline: whole numbers, −90…90, at most ten, unique,
    sorted. Raises ServiceError with a clear message."""
    out = set()
    for v in values:
        if isinstance(v, bool):
            v = "x"
        try:
            n = int(str(v).strip().replace("−", "-").replace("+", ""))
        except ValueError:
            raise ServiceError(
                _("«%(value)s» er ikke et helt antal dage (fx -7, -1, 1).") % {"value": v},
                "bad_offset",
            )
        if not MIN_OFFSET <= n <= MAX_OFFSET:
            raise ServiceError(
                _(
                    "%(days)s dage ligger for langt fra fristen (højst %(max)s dage "
                    "før eller efter)."
                )
                % {"days": n, "max": MAX_OFFSET},
                "bad_offset",
            )
        out.add(n)
    if len(out) > MAX_OFFSETS:
        raise ServiceError(
            _("Højst %(max)s automatiske påmindelser pr. runde.") % {"max": MAX_OFFSETS},
            "bad_offset",
        )
    return sorted(out)


def parse_offsets(text: str) -> list[int]:
    parts = [p for p in (text or "").replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    return clean_offsets(parts)


def update_settings(
    round_: Round,
    *,
    actor: User,
    offsets: list[int],
    subject: str,
    body: str,
    ip: str | None = None,
) -> Round:
    """Save the round's schedule and template (the template is checked like a send)."""
    offsets = clean_offsets(offsets)
    subject, body = check_template(subject, body)
    default_subject, default_body = default_template()
    with transaction.atomic():
        round_.reminder_offsets = offsets
        round_.reminder_subject = "" if subject == default_subject else subject
        round_.reminder_body = "" if body.strip() == default_body.strip() else body
        round_.save(update_fields=["reminder_offsets", "reminder_subject", "reminder_body"])
        record(
            "round.reminder_settings",
            actor=actor,
            ip=ip,
            obj=round_,
            detail={"offsets": offsets, "custom_template": bool(round_.reminder_body)},
        )
    return round_


def step_at(round_: Round, offset: int) -> dt.datetime:
    return round_.deadline + dt.timedelta(days=offset)


def due_step(round_: Round, now: dt.datetime | None = None) -> int | None:
    """The latest scheduled step that is due: its time has come, and it came after the round
    opened (a step that passed before opening is not sent late). Only the latest is sent, so a
    scheduler that was down for a while sends one reminder, not a burst."""
    now = now or timezone.now()
    start = round_.opened_at or round_.created_at
    try:
        offsets = clean_offsets(round_.reminder_offsets or [])
    except ServiceError:
        log.warning(
            "Round %s has invalid reminder offsets %r", round_.slug, round_.reminder_offsets
        )
        return None
    due = [o for o in offsets if start <= step_at(round_, o) <= now]
    return max(due, key=lambda o: step_at(round_, o)) if due else None


@dataclass
class StepResult:
    round: object
    offset: int
    result: SendResult


def send_scheduled(now: dt.datetime | None = None) -> list[StepResult]:
    """Send every due scheduled step of every open round to the municipalities that have not
    submitted and have not had this step yet. Safe to run any number of times, concurrently."""
    now = now or timezone.now()
    done = []
    for round_ in Round.objects.filter(state=RoundState.OPEN).select_related("survey"):
        offset = due_step(round_, now)
        if offset is None:
            continue
        key = f"schedule:{offset}"
        claimed = Reminder.objects.filter(round=round_, claim_key=key).values("municipality_id")
        targets = list(not_responded(round_).exclude(pk__in=claimed))
        if not targets:
            continue
        subject, body = round_template(round_)
        try:
            subject, body = check_template(subject, body)
        except TemplateProblem:
            log.error("Round %s has an invalid reminder template; using the default", round_.slug)
            subject, body = default_template()
        result = SendResult()
        with transaction.atomic():
            _claim(round_, targets, key, "scheduled", subject, body, None, result)
            if result.claimed:
                record(
                    "reminders.scheduled",
                    obj=round_,
                    detail={
                        "claim_key": key,
                        "sent": [r.municipality.code for r in result.sent],
                        "no_recipients": [m.code for m in result.no_recipients],
                    },
                )
            _deliver_after_commit(result)
        done.append(StepResult(round_, offset, result))
    return done


def redeliver_stale(now: dt.datetime | None = None) -> int:
    """Re-enqueue deliveries whose task never ran (pending, never attempted, old enough)."""
    now = now or timezone.now()
    ids = list(
        Reminder.objects.filter(
            outcome=Reminder.Outcome.PENDING,
            sent_at__isnull=True,
            created_at__lt=now - STALE_PENDING,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        tasks.deliver_reminder.enqueue(pk)
    return len(ids)
