"""The rounds' recipients get an explicit through model on the very table and columns Django
made for the many-to-many field (surveys_round_recipients: round_id, municipality_id). State
only: nothing in the database changes. Needed before the member model is renamed
(reference.0002), which would otherwise rename the column municipality_id."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_merge_draft_version_round_is_historical"),
        ("reference", "0001_municipality_from_surveys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoundRecipient",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "round",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipient_links",
                                to="surveys.round",
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipient_links",
                                to="reference.municipality",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "surveys_round_recipients",
                        "unique_together": {("round", "municipality")},
                    },
                ),
                migrations.AlterField(
                    model_name="round",
                    name="recipients",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="rounds",
                        through="surveys.RoundRecipient",
                        to="reference.municipality",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
