"""Municipality now lives in reference (reference.0001): the rounds' recipients point there and
surveys forgets the model. State only: the tables surveys_municipality and
surveys_round_recipients are untouched."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_load_municipalities"),
        ("reference", "0001_municipality_from_surveys"),
        ("accounts", "0003_municipality_in_reference"),
        ("submissions", "0002_municipality_in_reference"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="round",
                    name="recipients",
                    field=models.ManyToManyField(
                        blank=True, related_name="rounds", to="reference.municipality"
                    ),
                ),
                migrations.DeleteModel(name="Municipality"),
            ],
            database_operations=[],
        ),
    ]
