"""Creating rounds: one function, one transaction, an audit row. Opening, closing and
reopening live in submissions.services (they touch submissions and send e-mails)."""

import re

from django.db import transaction

from accounts.audit import record
from reference.models import Municipality
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
