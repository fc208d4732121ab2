"""The one way out for e-mail. Every message the platform sends is built by its app (templates
under templates/email/) and leaves through `send_messages`, from a django-tasks task queued
after the transaction committed. Tasks take IDs or plain JSON data, never model instances."""

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

# E-mails are written in Danish, the officers' language.
EMAIL_LANGUAGE = "da"


def absolute_url(name: str, *args) -> str:
    """The full address of a named URL, for links in e-mails."""
    return settings.SITE_URL + reverse(name, args=args)


def render_subject(template: str, context: dict) -> str:
    """A subject line from a template: whitespace (and newlines) collapsed."""
    return " ".join(render_to_string(template, context).split())


def send_messages(messages) -> int:
    """Send the prepared `EmailMessage`s over one connection; returns how many were sent."""
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)


@task()
def send_email_task(subject, body, recipients, from_email=None):
    """Send one plain-text e-mail from the worker; returns the number of messages sent.

    Queue it after commit (`transaction.on_commit(lambda: send_email_task.enqueue(...))`) so a
    rolled-back write never sends mail."""
    return send_mail(subject, body, from_email, list(recipients), fail_silently=False)
