"""A survey names the register it is asked of; every existing survey is asked of the
municipalities (the `kommuner` register)."""

import django.db.models.deletion
from django.db import migrations, models

import reference.models


def forwards(apps, schema_editor):
    Register = apps.get_model("reference", "Register")
    Survey = apps.get_model("surveys", "Survey")
    kommuner = Register.objects.get(key="kommuner")
    Survey.objects.filter(register=None).update(register=kommuner)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0004_register_required"),
        ("surveys", "0007_round_recipient_through"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="register",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="surveys",
                to="reference.register",
                verbose_name="register",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="survey",
            name="register",
            field=models.ForeignKey(
                default=reference.models.kommuner_register_id,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="surveys",
                to="reference.register",
                verbose_name="register",
            ),
        ),
    ]
