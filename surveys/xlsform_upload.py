"""An XLSForm into a survey's draft version: the one write behind the upload page and the API.
Converting is surveys.xlsform; storing the draft is surveys.builder (one draft per survey,
revisions against lost updates). An upload never publishes."""

from django.db import transaction
from django.utils.translation import gettext_lazy

from surveys import builder
from surveys.models import DraftVersion, Survey
from surveys.xlsform import xlsform_to_definition

MSG_REVISION_NEEDED = gettext_lazy(
    "Undersøgelsen har allerede en kladde. Angiv kladdens revision, så intet overskrives."
)


def upload_xlsform(
    *, survey: Survey, data: bytes, revision: int | None, actor, ip: str | None
) -> DraftVersion:
    """Read `data` (an XLSForm) as the next version of `survey` and make it the draft: a new
    draft when there is none, else the existing one replaced — on `revision`, the revision
    the person started from (a stale one is refused). Raises surveys.xlsform.XLSFormError
    for a file that cannot become a definition, builder.BuilderError for the draft."""
    content = xlsform_to_definition(data, key=survey.key)
    with transaction.atomic():
        draft = builder.draft_for(survey)
        if draft is None:
            draft = builder.open_draft(survey=survey, actor=actor, ip=ip)
            revision = draft.revision
        elif revision is None:
            raise builder.BuilderError(builder.Problem("revision", str(MSG_REVISION_NEEDED)))
        return builder.replace_draft_content(
            survey=survey, revision=revision, content=content, actor=actor, ip=ip
        )
