from django.db import migrations


def load(apps, schema_editor):
    from reference.municipalities import load_municipalities

    load_municipalities(apps.get_model("surveys", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
