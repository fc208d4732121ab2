"""Creating rounds: one function, one transaction, an audit row. Opening, closing and
reopening live in submissions.services (they touch submissions and send e-mails)."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import record
from surveys.models import Municipality, Round, RoundState

_CODE_SEPARATORS = re.compile(r"[\s,;]+")


def parse_codes(pasted):
    """Municipality codes from pasted text (one per line, or separated by commas/spaces).
    Returns (municipalities, unknown codes)."""
    codes = [c for c in _CODE_SEPARATORS.split(pasted or "") if c]
    found = {m.code: m for m in Municipality.objects.filter(code__in=codes, is_synthetic=False)}
    unknown = [c for c in dict.fromkeys(codes) if c not in found]
    return list(found.values()), unknown


def create_round(
    user,
    *,
    survey,
    title,
    slug,
    deadline,
    opens_at=None,
    previous=None,
    recipients,
    is_demo=False,
    request=None,
):
    """A draft round of the survey's current definition with the given recipients."""
    definition = survey.current_definition()
    with transaction.atomic():
        round_ = Round.objects.create(
            survey=survey,
            definition=definition,
            title=title,
            slug=slug,
            deadline=deadline,
            opens_at=opens_at,
            previous=previous,
            state=RoundState.DRAFT,
            is_demo=is_demo,
            created_by=user,
        )
        round_.recipients.set(recipients)
        record(
            "round.created",
            actor=user,
            request=request,
            obj=round_,
            detail={"slug": slug, "recipients": len(recipients), "definition": definition.version},
        )
    return round_


# --- Drafts: suggest a slug, edit, delete; opening now or on the opening date (issue 17)

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


class NotADraft(Exception):
    """Only a draft round can be edited, deleted or scheduled."""


def suggest_slug(*, survey, title: str, exclude_pk: int | None = None) -> str:
    """The short name for the round's address, from the survey and the title:
    'Februar 2026' → 'juniormesterlaere-februar-2026' (æ/ø/å spelt ae/oe/aa), made unique."""
    base = slugify(f"{survey.key}-{title}".translate(_DANISH))[:72].strip("-") or survey.key
    taken = set(
        Round.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _locked_draft(round_):
    locked = Round.objects.select_for_update().filter(pk=round_.pk).first()
    if locked is None or locked.state != RoundState.DRAFT:
        raise NotADraft
    return locked


def update_round(
    round_: Round,
    user,
    *,
    survey,
    title: str,
    slug: str,
    deadline,
    opens_at=None,
    previous=None,
    recipients,
    request=None,
) -> Round:
    """Change a draft: every field the creation form has. Raises NotADraft once it is open."""
    with transaction.atomic():
        locked = _locked_draft(round_)
        changed = sorted(
            name
            for name, value in (
                ("survey", survey.pk),
                ("title", title),
                ("slug", slug),
                ("deadline", deadline),
                ("opens_at", opens_at),
                ("previous", previous.pk if previous else None),
            )
            if value != getattr(locked, f"{name}_id" if name in ("survey", "previous") else name)
        )
        before = set(locked.recipients.values_list("pk", flat=True))
        if before != {m.pk for m in recipients}:
            changed = sorted([*changed, "recipients"])
        locked.survey = survey
        if survey.pk != round_.survey_id:
            locked.definition = survey.current_definition()
        locked.title, locked.slug, locked.deadline = title, slug, deadline
        locked.opens_at, locked.previous = opens_at, previous
        if opens_at is None:
            locked.open_on_schedule = False
        locked.save()
        locked.recipients.set(recipients)
        record(
            "round.updated",
            actor=user,
            request=request,
            obj=locked,
            detail={"changed": changed, "recipients": len(recipients)},
        )
    return locked


def delete_round(round_: Round, user, *, request=None) -> None:
    """Delete a draft (nobody has been invited to it). Raises NotADraft once it is open."""
    with transaction.atomic():
        locked = _locked_draft(round_)
        record(
            "round.deleted",
            actor=user,
            request=request,
            object_type="surveys.round",
            object_ref=locked.slug,
            detail={"title": locked.title, "slug": locked.slug},
        )
        locked.delete()


def schedule_opening(round_: Round, user, *, request=None) -> Round:
    """Open the draft automatically on its opening date (the scheduled job does it).
    Raises NotADraft once it is open, ValueError without a future opening date."""
    with transaction.atomic():
        locked = _locked_draft(round_)
        if locked.opens_at is None or locked.opens_at <= timezone.now():
            raise ValueError("no future opening date")
        locked.open_on_schedule = True
        locked.save(update_fields=["open_on_schedule"])
        record(
            "round.open_scheduled",
            actor=user,
            request=request,
            obj=locked,
            detail={"opens_at": locked.opens_at.isoformat()},
        )
    return locked


def open_due_rounds(now=None) -> list[Round]:
    """Open every draft scheduled to open whose opening time has come (run by the timer job
    with the reminders). Safe to run concurrently: opening is a conditional update."""
    from submissions import services

    now = now or timezone.now()
    opened = []
    due = Round.objects.filter(state=RoundState.DRAFT, open_on_schedule=True, opens_at__lte=now)
    for round_ in due:
        if services.open_round(round_, None):
            opened.append(round_)
    return opened


def without_officer(round_: Round):
    """Recipients no active officer answers for: opening the round invites nobody there."""
    return (
        round_.recipients.exclude(memberships__user__is_active=True)
        .order_by("name")
        .only("code", "name")
    )
