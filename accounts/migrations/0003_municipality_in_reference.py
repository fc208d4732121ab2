"""Point the municipality foreign keys at reference.Municipality (same table: state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("reference", "0001_municipality_from_surveys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invitation",
                    name="municipality",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="reference.municipality"
                    ),
                ),
                migrations.AlterField(
                    model_name="membership",
                    name="municipality",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="reference.municipality",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
