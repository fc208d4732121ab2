"""The e-mail of a round's lifecycle: opening a round invites the recipients' officers.

Runs as a background task after the transaction committed (surveys.tasks); sent through
lib.mail, in Danish, one message per person (no one sees another's address)."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from accounts.selectors import officers_of
from lib.mail import EMAIL_LANGUAGE, absolute_url, render_subject, send_messages
from surveys.definitions import text
from surveys.models import Round


def send_round_invitations(round_id):
    """Opening a round: each recipient municipality's officers get a direct link to their
    form. A municipality without officers gets nothing (tracking shows it as 'no contact')."""
    round_ = Round.objects.select_related("survey", "definition").get(pk=round_id)
    municipalities = {m.pk: m for m in round_.recipients.all()}
    survey_title = text(round_.definition.spec.title, EMAIL_LANGUAGE)
    out = []
    users = officers_of(list(municipalities)).prefetch_related("memberships")
    with translation.override(EMAIL_LANGUAGE):
        for user in users:
            for membership in user.memberships.all():
                municipality = municipalities.get(membership.municipality_id)
                if municipality is None:
                    continue
                context = {
                    "round": round_,
                    "municipality": municipality,
                    "survey_title": survey_title,
                    "user": user,
                    "form_url": absolute_url("submissions:form", round_.slug, municipality.code),
                }
                out.append(
                    EmailMessage(
                        render_subject("email/round_invitation_subject.txt", context),
                        render_to_string("email/round_invitation.txt", context),
                        to=[user.email],
                    )
                )
    return send_messages(out)
