"""Every member now has its register: the field becomes required, and codes are unique per
register (two registers may both use the code 101), no longer across all of them."""

import django.db.models.deletion
from django.db import migrations, models

import reference.models


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_kommuner_and_regioner")]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="register",
            field=models.ForeignKey(
                default=reference.models.kommuner_register_id,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="reference.register",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                fields=("register", "code"), name="unique_code_per_register"
            ),
        ),
    ]
