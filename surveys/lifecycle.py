"""The round lifecycle: create, open, close, reopen. Each is one function, one transaction and
its audit row; e-mails are queued after commit. Pages, the API and commands all call these."""

import re

from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import User
from reference.models import Municipality
from surveys import tasks
from surveys.models import Round, RoundState

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


def open_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Draft → open; the recipients' officers are invited by e-mail after commit. False when
    the round was not a draft (nothing happens)."""
    with transaction.atomic():
        changed = Round.objects.filter(pk=round_.pk, state=RoundState.DRAFT).update(
            state=RoundState.OPEN, opened_at=timezone.now()
        )
        if not changed:
            return False
        record("round.opened", actor=actor, ip=ip, obj=round_)
        round_id = round_.pk
        transaction.on_commit(lambda: tasks.send_round_invitations.enqueue(round_id))
    round_.refresh_from_db()
    return True


def close_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Open → closed. False when the round was not open."""
    with transaction.atomic():
        changed = Round.objects.filter(pk=round_.pk, state=RoundState.OPEN).update(
            state=RoundState.CLOSED, closed_at=timezone.now()
        )
        if changed:
            record("round.closed", actor=actor, ip=ip, obj=round_)
    round_.refresh_from_db()
    return bool(changed)


def reopen_round(round_: Round, *, actor: User, ip: str | None = None) -> bool:
    """Closed → open. False when the round was not closed."""
    with transaction.atomic():
        changed = Round.objects.filter(pk=round_.pk, state=RoundState.CLOSED).update(
            state=RoundState.OPEN, closed_at=None
        )
        if changed:
            record("round.reopened", actor=actor, ip=ip, obj=round_)
    round_.refresh_from_db()
    return bool(changed)
