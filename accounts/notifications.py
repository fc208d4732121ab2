"""The invitation e-mail, sent through lib.mail from the background task in accounts.tasks."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Invitation
from lib.mail import EMAIL_LANGUAGE, absolute_url, send_messages


def invitation_url(invitation):
    return absolute_url("accounts:accept_invitation", invitation.token)


def send_invitation_email(invitation_id: int) -> int:
    invitation = Invitation.objects.select_related("municipality", "invited_by").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "login_url": absolute_url("account_login"),
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    with translation.override(EMAIL_LANGUAGE):
        body = render_to_string("email/invitation.txt", context)
        subject = _("Du er inviteret til Indberet for %(municipality)s") % {
            "municipality": invitation.municipality.name
        }
    return send_messages([EmailMessage(subject, body, to=[invitation.email])])
