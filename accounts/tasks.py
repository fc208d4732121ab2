"""Background work for people (django-tasks). Tasks take IDs and load what they need."""

from django_tasks import task

from accounts import notifications


@task()
def send_invitation(invitation_id):
    notifications.send_invitation_email(invitation_id)
