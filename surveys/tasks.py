"""Background work for rounds (django-tasks). Tasks take IDs and load what they need."""

from django_tasks import task

from surveys import notifications


@task()
def send_round_invitations(round_id):
    notifications.send_round_invitations(round_id)
