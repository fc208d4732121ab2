"""Project-wide background tasks (django-tasks). Arguments are JSON: plain strings and lists."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email_task(subject, body, recipients, from_email=None):
    """Send one plain-text e-mail from the worker; returns the number of messages sent.

    Queue it after commit (`transaction.on_commit(lambda: send_email_task.enqueue(...))`) so a
    rolled-back write never sends mail."""
    return send_mail(subject, body, from_email, list(recipients), fail_silently=False)
