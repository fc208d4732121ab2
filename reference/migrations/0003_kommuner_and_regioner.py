"""Every existing row becomes a member of the `kommuner` register (its region and DST group
copied into its attributes); the 5 regions are loaded as the `regioner` register."""

from django.db import migrations

from reference.registers import ensure_shipped_registers, load_regions, municipal_attributes


def forwards(apps, schema_editor):
    Register = apps.get_model("reference", "Register")
    Organisation = apps.get_model("reference", "Organisation")
    kommuner = ensure_shipped_registers(Register, ("kommuner",))["kommuner"]
    for org in Organisation.objects.filter(register=None):
        org.register = kommuner
        org.attributes = municipal_attributes(org.region_code, org.dst_group)
        org.save(update_fields=["register", "attributes"])
    load_regions(Register, Organisation)


def backwards(apps, schema_editor):
    Register = apps.get_model("reference", "Register")
    Organisation = apps.get_model("reference", "Organisation")
    Organisation.objects.exclude(register__key="kommuner").delete()
    Organisation.objects.update(register=None)
    Register.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_organisation_and_registers")]
    operations = [migrations.RunPython(forwards, backwards)]
