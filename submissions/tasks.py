"""Background work for submissions (django-tasks). Tasks take IDs and load what they need."""

from django_tasks import task

from submissions import impact, notifications


@task()
def send_receipt(submission_id):
    notifications.send_receipt(submission_id)


@task()
def send_returned(submission_id):
    notifications.send_returned(submission_id)


@task()
def run_impact(run_id):
    impact.finish_impact(run_id)
