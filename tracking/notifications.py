"""The reminder e-mail: one claimed reminder is sent, one message per address (no one sees
another's address), through lib.mail, from the background task in tracking.tasks."""

import logging

from django.core.mail import EmailMessage
from django.utils import timezone

from lib.mail import send_messages
from submissions.models import Reminder

log = logging.getLogger(__name__)


def deliver(reminder_id: int) -> bool:
    """Send one claimed reminder: one message per address (no one sees another's address).
    The conditional update claims the delivery, so a repeated task sends nothing."""
    now = timezone.now()
    claimed = Reminder.objects.filter(
        pk=reminder_id, outcome=Reminder.Outcome.PENDING, sent_at__isnull=True
    ).update(sent_at=now)
    if not claimed:
        return False
    reminder = Reminder.objects.select_related("created_by").get(pk=reminder_id)
    reply_to = [reminder.created_by.email] if reminder.created_by_id else None
    messages = [
        EmailMessage(reminder.subject, reminder.body, None, [address], reply_to=reply_to)
        for address in reminder.recipients
    ]
    try:
        send_messages(messages)
    except Exception as exc:  # the outcome is logged for the coordinator, not raised
        log.exception("Reminder %s could not be sent", reminder_id)
        Reminder.objects.filter(pk=reminder_id).update(
            outcome=Reminder.Outcome.FAILED, error=str(exc)[:2000]
        )
        return False
    Reminder.objects.filter(pk=reminder_id).update(outcome=Reminder.Outcome.SENT)
    return True
