"""Creating rounds: one function, one transaction, an audit row. Opening, closing and
reopening live in submissions.services (they touch submissions and send e-mails)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from surveys.models import Municipality, Round, RoundState

_CODE_SEPARATORS = re.compile(r"[\s,;]+")


def validate_round_title(value):
    """A round's title goes into e-mail subjects (reminders, receipts): a line break there
    makes every e-mail of the round fail (BadHeaderError), so no control characters at all
    (line and paragraph separators included)."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise ValidationError(
            _("Titlen må ikke indeholde linjeskift, tabulatorer eller andre kontroltegn."),
            code="invalid_characters",
        )


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
