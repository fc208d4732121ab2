"""Background work for following a round (django-tasks). Tasks take IDs and load what they need."""

from django_tasks import task

from tracking import notifications


@task()
def deliver_reminder(reminder_id):
    return notifications.deliver(reminder_id)
