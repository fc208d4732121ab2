"""The round lifecycle: create, open, close, reopen. Each is one function, one transaction and
its audit row; e-mails are queued after commit. Pages, the API and commands all call these."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import record
from accounts.models import User
from lib.text import pick
from reference.models import KOMMUNER, Organisation, Register, Selection
from surveys import tasks
from surveys.models import (  # the title rule lives with the field it guards
    MSG_TITLE_CONTROL,
    Round,
    RoundState,
    Survey,
    title_has_control_characters,
)

_CODE_SEPARATORS = re.compile(r"[\s,;]+")

ALL = "all"

MSG_SLUG_TAKEN = _("Der findes allerede en runde med dette korte navn.")
MSG_UNKNOWN_CODES = _("Ukendte kommunekoder: %(codes)s")
MSG_NO_RECIPIENTS = _("Vælg mindst én kommune.")
MSG_UNKNOWN_MEMBER_CODES = _("Ukendte koder i registret %(register)s: %(codes)s")
MSG_NO_MEMBERS = _("Vælg mindst én modtager.")
MSG_UNKNOWN_SELECTION = _("Registret %(register)s har intet udvalg med navnet »%(name)s«.")
MSG_SELECTION_OTHER_REGISTER = _(
    "Udvalget »%(name)s« hører til registret %(other)s; undersøgelsen er stillet til "
    "registret %(register)s. Vælg et udvalg af det register."
)
MSG_UNKNOWN_ATTRIBUTE = _(
    "Registret %(register)s har ingen egenskab »%(attribute)s«, der kan vælges efter. "
    "Brug en af: %(known)s."
)
MSG_UNKNOWN_ATTRIBUTE_VALUES = _("Ukendte værdier af egenskaben »%(attribute)s«: %(values)s")
MSG_NO_ATTRIBUTE_VALUES = _("Vælg mindst én værdi af egenskaben »%(attribute)s«.")
MSG_DEADLINE_BEFORE_OPENING = _("Fristen kan ikke ligge før åbningsdatoen.")
MSG_PREVIOUS_OTHER_SURVEY = _("Runden, der sammenlignes med, skal være af samme undersøgelse.")
MSG_NO_DEFINITION = _("Undersøgelsen har ingen definition endnu.")
MSG_ROUND_CLOSED = pgettext_lazy("round state", "Runden er lukket.")
MSG_ROUND_NOT_OPEN = _("Runden er ikke åbnet.")
MSG_NOT_DRAFT = _("Runden er åbnet og kan ikke længere rettes eller slettes.")
MSG_NO_FUTURE_OPENING = _("Runden har ingen åbningsdato i fremtiden.")
MSG_HISTORICAL = _(
    "Runden er en tidligere runde indlæst fra en tabel. Den kan ikke åbnes eller genåbnes; "
    "dens tal rettes ved at importere igen."
)
MSG_REFERENCE_DATE_FUTURE = _("Referencedatoen for en tidligere runde skal ligge i fortiden.")

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


@dataclass(frozen=True)
class Problem:
    """One reason a round change was refused: the input field it concerns ("" for none), a
    stable code (the API's error code) and a message in the interface language."""

    field: str
    code: str
    message: str


class RoundError(Exception):
    """The one error of the round lifecycle: what was refused and why (one or more problems).
    Pages show the problems beside their fields; the API answers 400 (or 409 for a state)."""

    def __init__(self, *problems: Problem, code: str = "invalid"):
        self.problems = list(problems)
        self.code = code
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems) or code)


def split_codes(pasted: str | None) -> list[str]:
    """Municipality codes from pasted text (one per line, or separated by commas/spaces)."""
    return [c for c in _CODE_SEPARATORS.split(pasted or "") if c]


def selection_members(
    selection: Selection | str, *, register: Register | None
) -> tuple[list[str], list[Problem]]:
    """The codes of a saved selection's active members, as a round's recipients: `selection`
    by name (the API's {"selection": name}) is looked up within the survey's `register`; a
    Selection (the round page's choice) must belong to that register. A selection of another
    register, or no selection of that name, is a problem naming both."""
    register = register or Register.objects.filter(key=KOMMUNER).first()
    register_name = register.display_name if register is not None else str(KOMMUNER)
    if isinstance(selection, str):
        found = Selection.objects.filter(register=register, name=selection).first()
        if found is None:
            message = MSG_UNKNOWN_SELECTION % {"register": register_name, "name": selection}
            return [], [Problem("recipients", "unknown", message)]
        selection = found
    elif register is None or selection.register_id != register.pk:
        message = MSG_SELECTION_OTHER_REGISTER % {
            "name": selection.name,
            "other": selection.register.display_name,
            "register": register_name,
        }
        return [], [Problem("recipients", "other_register", message)]
    codes = list(
        selection.members.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )
    return codes, []


def registers_asked_of() -> QuerySet[Register]:
    """The registers a survey is asked of (one with a published definition): whose members and
    selections the round page offers before the survey is chosen. Lazy (no query until read),
    so a form may use it in a field's queryset."""
    return Register.objects.filter(surveys__definitions__isnull=False).distinct()


def members_of(register: Register | None):
    """Who may be a recipient of a round of a survey asked of `register` (None: the
    municipalities): its active members; of the municipalities only the real ones (a
    synthetic one, the benchmarks' data, counts as unknown)."""
    if register is None or register.key == KOMMUNER:
        return Organisation.objects.municipalities()
    return Organisation.objects.filter(register=register, is_active=True)


def _attribute_label(spec: dict) -> str:
    return pick(spec.get("label")) or spec["key"]


def attribute_values(
    register: Register | None, *, members: QuerySet[Organisation] | None = None
) -> list[tuple[dict, list[tuple[str, str]]]]:
    """The register's categorical attributes with the values its members (`members_of`, or
    the given `members`, e.g. a round's recipients for the board's filters) have:
    [(spec, [(value, label)])], values in order; a `code` attribute's value is labelled with
    the name of the member of the register it points at. What a round's recipients may be
    chosen by (`members_with`)."""
    if register is None:
        register = Register.objects.filter(key=KOMMUNER).first()
        if register is None:
            return []
    specs = register.categorical_attributes()
    if not specs:
        return []
    members = list((members if members is not None else members_of(register)).only("attributes"))
    out = []
    for spec in specs:
        values = sorted(
            {str(v) for m in members if (v := m.attribute(spec["key"])) not in (None, "")}
        )
        names = {}
        if spec.get("type") == "code" and spec.get("register"):
            names = dict(
                Organisation.objects.filter(
                    register__key=spec["register"], code__in=values
                ).values_list("code", "name")
            )
        out.append((spec, [(v, f"{names[v]} ({v})" if v in names else v) for v in values]))
    return out


def members_with(
    *, register: Register | None, attribute: str, values: Sequence[str]
) -> tuple[list[Organisation], list[Problem]]:
    """The recipients ticked by an attribute: the members of the survey's register
    (`members_of`) whose categorical `attribute` has one of `values`. An attribute the register
    has not (or not categorical), a value no member has, or no value: a problem."""
    known = attribute_values(register)
    register_name = register.display_name if register is not None else str(KOMMUNER)
    spec = next((s for s, _v in known if s["key"] == attribute), None)
    if spec is None:
        message = MSG_UNKNOWN_ATTRIBUTE % {
            "register": register_name,
            "attribute": attribute,
            "known": ", ".join(s["key"] for s, _v in known) or "–",
        }
        return [], [Problem("recipients", "unknown_attribute", message)]
    label = _attribute_label(spec)
    wanted = list(dict.fromkeys(str(v) for v in values))
    if not wanted:
        message = MSG_NO_ATTRIBUTE_VALUES % {"attribute": label}
        return [], [Problem("recipients", "empty", message)]
    allowed = {v for s, pairs in known if s is spec for v, _label in pairs}
    unknown = [v for v in wanted if v not in allowed]
    if unknown:
        message = MSG_UNKNOWN_ATTRIBUTE_VALUES % {
            "attribute": label,
            "values": ", ".join(unknown[:20]),
        }
        return [], [Problem("recipients", "unknown", message)]
    chosen = set(wanted)
    members = [
        m for m in members_of(register).order_by("code") if str(m.attribute(attribute)) in chosen
    ]
    return members, []


def resolve_recipients(
    codes: Sequence[str] | str | dict, *, register: Register | None = None
) -> tuple[list[Organisation], list[Problem]]:
    """The recipients for `codes` (or "all", or {"selection": name or Selection} — the active
    members of a saved selection of the survey's register, `selection_members` — or
    {"attribute": key, "values": [...]} — the members ticked by an attribute, `members_with`):
    members of the survey's register (`members_of`), looked up by code within that register.
    The round page and the API both give their recipients here."""
    real = members_of(register)
    municipal = register is None or register.key == KOMMUNER
    if codes == ALL:
        return list(real), []
    if isinstance(codes, dict) and "selection" in codes:
        codes, problems = selection_members(codes["selection"], register=register)
        if problems:
            return [], problems
    elif isinstance(codes, dict):
        return members_with(
            register=register, attribute=codes.get("attribute", ""), values=codes.get("values", [])
        )
    wanted = list(dict.fromkeys(codes))
    found = {m.code: m for m in real.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        shown = ", ".join(unknown[:20])
        if municipal:
            message = MSG_UNKNOWN_CODES % {"codes": shown}
        else:
            message = MSG_UNKNOWN_MEMBER_CODES % {"register": register.display_name, "codes": shown}
        return [], [Problem("recipients", "unknown", message)]
    if not found:
        message = MSG_NO_RECIPIENTS if municipal else MSG_NO_MEMBERS
        return [], [Problem("recipients", "empty", message)]
    return [found[c] for c in wanted], []


def round_problems(
    *,
    survey: Survey | None = None,
    title: str | None = None,
    slug: str | None = None,
    deadline: dt.datetime | None = None,
    opens_at: dt.datetime | None = None,
    previous: Round | None = None,
    recipients: Sequence[str] | str | dict | None = None,
    editing: Round | None = None,
) -> list[Problem]:
    """Every rule a new round must meet, for the values given (None: not known yet, e.g. a
    field that did not parse, so a form can show every problem at once). `editing`: the draft
    being changed (its own slug is not taken)."""
    problems = []
    if title is not None and title_has_control_characters(title):
        problems.append(Problem("title", "invalid_characters", MSG_TITLE_CONTROL))
    if survey is not None and survey.current_definition() is None:
        problems.append(Problem("survey", "unknown", MSG_NO_DEFINITION))
    taken = Round.objects.filter(slug=slug)
    if editing is not None:
        taken = taken.exclude(pk=editing.pk)
    if slug and taken.exists():
        problems.append(Problem("slug", "unique", MSG_SLUG_TAKEN))
    if opens_at is not None and deadline is not None and opens_at > deadline:
        problems.append(Problem("deadline", "before_opening", MSG_DEADLINE_BEFORE_OPENING))
    if previous is not None and survey is not None and previous.survey_id != survey.pk:
        problems.append(Problem("previous", "unknown", MSG_PREVIOUS_OTHER_SURVEY))
    if recipients is not None:
        register = survey.register if survey is not None else None
        problems += resolve_recipients(recipients, register=register)[1]
    return problems


def create_round(
    *,
    actor: User,
    ip: str | None = None,
    survey: Survey,
    title: str,
    slug: str,
    deadline: dt.datetime,
    opens_at: dt.datetime | None = None,
    previous: Round | None = None,
    recipients: Sequence[str] | str | dict,
    is_demo: bool = False,
) -> Round:
    """A draft round of the survey's current definition for the given recipient codes (or
    "all"). Raises RoundError listing every problem; a slug taken by a concurrent create is
    one of them, not a crash."""
    problems = round_problems(
        survey=survey,
        title=title,
        slug=slug,
        deadline=deadline,
        opens_at=opens_at,
        previous=previous,
    )
    municipalities, recipient_problems = resolve_recipients(recipients, register=survey.register)
    problems += recipient_problems
    if problems:
        raise RoundError(*problems)
    return _insert_round(
        actor=actor,
        ip=ip,
        action="round.created",
        recipients=municipalities,
        survey=survey,
        title=title,
        slug=slug,
        deadline=deadline,
        opens_at=opens_at,
        previous=previous,
        state=RoundState.DRAFT,
        is_demo=is_demo,
    )


def open_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Draft → open; the recipients' officers are invited by e-mail after commit. False when
    it was open already (nothing happens); RoundError("round_closed") when it is closed."""
    with transaction.atomic():
        changed = Round.objects.filter(pk=round_.pk, state=RoundState.DRAFT).update(
            # A scheduled opening is used up, whether the timer or a person opened it.
            state=RoundState.OPEN,
            opened_at=timezone.now(),
            open_on_schedule=False,
        )
        if not changed:
            round_.refresh_from_db()
            if round_.state == RoundState.CLOSED:
                raise RoundError(Problem("", "round_closed", MSG_ROUND_CLOSED), code="round_closed")
            return False
        record("round.opened", actor=actor, ip=ip, obj=round_)
        round_id = round_.pk
        transaction.on_commit(lambda: tasks.send_round_invitations.enqueue(round_id))
    round_.refresh_from_db()
    return True


def close_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Open → closed. False when it was closed already (nothing happens); RoundError
    ("round_not_open") when it is still a draft."""
    with transaction.atomic():
        changed = Round.objects.filter(pk=round_.pk, state=RoundState.OPEN).update(
            state=RoundState.CLOSED, closed_at=timezone.now()
        )
        if changed:
            record("round.closed", actor=actor, ip=ip, obj=round_)
    round_.refresh_from_db()
    if not changed and round_.state == RoundState.DRAFT:
        raise RoundError(Problem("", "round_not_open", MSG_ROUND_NOT_OPEN), code="round_not_open")
    return bool(changed)


def reopen_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Closed → open. False when the round was not closed; RoundError("historical") for an
    earlier round loaded from a table (opening it would invite its recipients)."""
    if round_.is_historical:
        raise RoundError(Problem("", "historical", MSG_HISTORICAL), code="historical")
    with transaction.atomic():
        changed = Round.objects.filter(
            pk=round_.pk, state=RoundState.CLOSED, is_historical=False
        ).update(state=RoundState.OPEN, closed_at=None)
        if changed:
            record("round.reopened", actor=actor, ip=ip, obj=round_)
    round_.refresh_from_db()
    return bool(changed)


def create_historical_round(
    *,
    actor: User | None,
    ip: str | None = None,
    survey: Survey,
    title: str,
    slug: str,
    reference_date: dt.date,
    previous: Round | None = None,
    recipients: Sequence[str] | str | dict,
    is_demo: bool = False,
) -> Round:
    """An earlier round whose answers exist only as a table (issue 15): closed from the start,
    with `reference_date` (23.59 that day) as its deadline, never opened and never sent to
    anyone. A coordinator fills it by import (imports app); it then feeds the history checks
    and the change since the previous round of the rounds that compare with it. The same
    rules as `create_round` (title, slug, previous, recipients), plus a reference date in
    the past. Raises RoundError listing every problem."""
    deadline = timezone.make_aware(
        dt.datetime.combine(reference_date, dt.time(23, 59)), timezone.get_current_timezone()
    )
    problems = round_problems(
        survey=survey, title=title, slug=slug, deadline=deadline, previous=previous
    )
    if reference_date > timezone.localdate():
        problems.append(Problem("reference_date", "future", MSG_REFERENCE_DATE_FUTURE))
    municipalities, recipient_problems = resolve_recipients(recipients, register=survey.register)
    problems += recipient_problems
    if problems:
        raise RoundError(*problems)
    return _insert_round(
        actor=actor,
        ip=ip,
        action="round.created_historical",
        detail={"reference_date": reference_date.isoformat()},
        recipients=municipalities,
        survey=survey,
        title=title,
        slug=slug,
        deadline=deadline,
        previous=previous,
        state=RoundState.CLOSED,
        is_historical=True,
        closed_at=timezone.now(),
        is_demo=is_demo,
        reminder_offsets=[],
    )


def _insert_round(
    *,
    actor: User | None,
    ip: str | None,
    action: str,
    recipients: list[Organisation],
    survey: Survey,
    slug: str,
    detail: dict | None = None,
    **fields,
) -> Round:
    """The one write of a new round (checked by its caller): the row with the survey's
    current definition, its recipients and the audit row in one transaction; a slug taken
    by a concurrent create is a RoundError, not a crash."""
    definition = survey.current_definition()
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                survey=survey, definition=definition, slug=slug, created_by=actor, **fields
            )
            round_.recipients.set(recipients)
            record(
                action,
                actor=actor,
                ip=ip,
                obj=round_,
                detail={
                    "slug": slug,
                    "recipients": len(recipients),
                    "definition": definition.version,
                    **(detail or {}),
                },
            )
    except IntegrityError:  # the slug was taken by a concurrent create
        raise RoundError(Problem("slug", "unique", MSG_SLUG_TAKEN)) from None
    return round_


# --- Drafts: a suggested slug, edit, delete; opening on the opening date (issue 17)


def suggest_slug(*, survey: Survey, title: str, editing: Round | None = None) -> str:
    """The short name for the round's address from the survey and the title:
    'Februar 2026' → 'juniormesterlaere-februar-2026' (æ/ø/å spelt ae/oe/aa), made unique."""
    base = slugify(f"{survey.key}-{title}".translate(_DANISH))[:72].strip("-") or survey.key
    taken = Round.objects.filter(slug__startswith=base)
    if editing is not None:
        taken = taken.exclude(pk=editing.pk)
    taken = set(taken.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _locked_draft(round_: Round) -> Round:
    locked = Round.objects.select_for_update().filter(pk=round_.pk).first()
    if locked is None or locked.state != RoundState.DRAFT:
        raise RoundError(Problem("", "not_draft", MSG_NOT_DRAFT), code="state")
    return locked


def update_round(
    round_: Round,
    *,
    actor: User,
    ip: str | None = None,
    survey: Survey,
    title: str,
    slug: str,
    deadline: dt.datetime,
    opens_at: dt.datetime | None = None,
    previous: Round | None = None,
    recipients: Sequence[str] | str | dict,
) -> Round:
    """Change a draft: everything the creation takes. Raises RoundError with every problem,
    or code "state" once the round is open."""
    problems = round_problems(
        survey=survey,
        title=title,
        slug=slug,
        deadline=deadline,
        opens_at=opens_at,
        previous=previous,
        editing=round_,
    )
    municipalities, recipient_problems = resolve_recipients(recipients, register=survey.register)
    if problems + recipient_problems:
        raise RoundError(*problems, *recipient_problems)
    try:
        return _store_update(
            round_,
            actor=actor,
            ip=ip,
            survey=survey,
            title=title,
            slug=slug,
            deadline=deadline,
            opens_at=opens_at,
            previous=previous,
            municipalities=municipalities,
        )
    except IntegrityError:  # the slug was taken by a concurrent create or update
        raise RoundError(Problem("slug", "unique", MSG_SLUG_TAKEN)) from None


def _store_update(
    round_, *, actor, ip, survey, title, slug, deadline, opens_at, previous, municipalities
):
    with transaction.atomic():
        locked = _locked_draft(round_)
        new = {
            "survey": survey.pk,
            "title": title,
            "slug": slug,
            "deadline": deadline,
            "opens_at": opens_at,
            "previous": previous.pk if previous else None,
        }
        old = {
            "survey": locked.survey_id,
            "title": locked.title,
            "slug": locked.slug,
            "deadline": locked.deadline,
            "opens_at": locked.opens_at,
            "previous": locked.previous_id,
        }
        changed = [k for k in new if new[k] != old[k]]
        if set(locked.recipients.values_list("pk", flat=True)) != {m.pk for m in municipalities}:
            changed.append("recipients")
        if survey.pk != locked.survey_id:
            locked.definition = survey.current_definition()
        locked.survey, locked.title, locked.slug = survey, title, slug
        locked.deadline, locked.opens_at, locked.previous = deadline, opens_at, previous
        if "opens_at" in changed or opens_at is None or opens_at <= timezone.now():
            # A scheduled opening was confirmed for the old date: a new (or past) date must be
            # confirmed again on the opening page, not opened by the next timer run.
            locked.open_on_schedule = False
        locked.save()
        locked.recipients.set(municipalities)
        record(
            "round.updated",
            actor=actor,
            ip=ip,
            obj=locked,
            detail={"changed": sorted(changed), "recipients": len(municipalities)},
        )
    return locked


def delete_round(round_: Round, *, actor: User, ip: str | None = None) -> None:
    """Delete a draft (nobody has been invited to it). RoundError once it is open."""
    with transaction.atomic():
        locked = _locked_draft(round_)
        record(
            "round.deleted",
            actor=actor,
            ip=ip,
            object_type="surveys.round",
            object_ref=locked.slug,
            detail={"title": locked.title, "slug": locked.slug},
        )
        locked.delete()


def schedule_opening(round_: Round, *, actor: User, ip: str | None = None) -> Round:
    """Open the draft automatically on its opening date (open_due_rounds, run by the timer
    job, does it). RoundError once it is open or without a future opening date; scheduling
    twice is harmless (and audited once)."""
    with transaction.atomic():
        locked = _locked_draft(round_)
        if locked.opens_at is None or locked.opens_at <= timezone.now():
            raise RoundError(Problem("opens_at", "past", MSG_NO_FUTURE_OPENING))
        if locked.open_on_schedule:
            return locked
        locked.open_on_schedule = True
        locked.save(update_fields=["open_on_schedule"])
        record(
            "round.open_scheduled",
            actor=actor,
            ip=ip,
            obj=locked,
            detail={"opens_at": locked.opens_at.isoformat()},
        )
    return locked


def open_due_rounds(now: dt.datetime | None = None) -> list[Round]:
    """Open every draft scheduled to open whose opening time has come (the send_reminders
    timer job calls this). Safe to run concurrently: opening is a conditional update."""
    now = now or timezone.now()
    due = Round.objects.filter(state=RoundState.DRAFT, open_on_schedule=True, opens_at__lte=now)
    return [r for r in due if open_round(r, actor=None)]
