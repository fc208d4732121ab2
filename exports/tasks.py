"""Background export work (django-tasks). Tasks take IDs, never objects."""

from django_tasks import task


@task()
def build_export_task(export_id):
    """Build a pending Export (e.g. the PDF report of a big round) and store its bytes."""
    from exports.services import run_background_export

    return run_background_export(export_id)
