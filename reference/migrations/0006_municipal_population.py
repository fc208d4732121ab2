"""The kommuner register gains the integer attribute `population` (residents on 1 January
2020, reference/data/municipality_population.csv; sources beside it), set on every
municipality. Not categorical, and not in the municipal exports (their columns are fixed)."""

from django.db import migrations

from reference.registers import add_population


def forwards(apps, schema_editor):
    add_population(apps.get_model("reference", "Register"), apps.get_model("reference", "Organisation"))


def backwards(apps, schema_editor):
    Register = apps.get_model("reference", "Register")
    Organisation = apps.get_model("reference", "Organisation")
    register = Register.objects.filter(key="kommuner").first()
    if register is None:
        return
    register.attributes = [
        a for a in register.attributes or [] if not (isinstance(a, dict) and a.get("key") == "population")
    ]
    register.save(update_fields=["attributes"])
    for member in Organisation.objects.filter(register=register):
        if "population" in (member.attributes or {}):
            member.attributes = {k: v for k, v in member.attributes.items() if k != "population"}
            member.save(update_fields=["attributes"])


class Migration(migrations.Migration):
    dependencies = [("reference", "0005_selection")]
    operations = [migrations.RunPython(forwards, backwards)]
