"""Point the municipality foreign keys at reference.Municipality (same table: state only)."""

import django.db.models.deletion
from django.db import migrations, models


def _fk(related_name):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="reference.municipality",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0001_initial"),
        ("reference", "0001_municipality_from_surveys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="chasenote", name="municipality", field=_fk("chase_notes")
                ),
                migrations.AlterField(
                    model_name="contact", name="municipality", field=_fk("contacts")
                ),
                migrations.AlterField(
                    model_name="reminder", name="municipality", field=_fk("reminders")
                ),
                migrations.AlterField(
                    model_name="submission", name="municipality", field=_fk("submissions")
                ),
            ],
            database_operations=[],
        ),
    ]
