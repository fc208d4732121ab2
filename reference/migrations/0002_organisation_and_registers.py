"""Registers of organisations (issue 14). The member model is renamed Municipality →
Organisation in Django's state only: its table (surveys_municipality), every row, id and foreign
key stay. Members gain a register, attributes and an active flag; codes grow to 20 characters
and become unique per register (reference.0004, once every row has its register)."""

import django.db.models.deletion
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reference", model="organisation").exists():
        ContentType.objects.filter(app_label="reference", model="municipality").update(
            model="organisation"
        )


def unrename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reference", model="municipality").exists():
        ContentType.objects.filter(app_label="reference", model="organisation").update(
            model="municipality"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reference", "0001_municipality_from_surveys"),
        ("surveys", "0007_round_recipient_through"),
        ("imports", "0001_initial"),
        ("accounts", "0006_audit_append_only_triggers"),
        ("submissions", "0002_municipality_in_reference"),
    ]

    operations = [
        migrations.CreateModel(
            name="Register",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="nøgle")),
                ("name", models.CharField(max_length=200, verbose_name="navn")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=200, verbose_name="navn (engelsk)"),
                ),
                (
                    "code_pattern",
                    models.CharField(
                        default="[0-9]{1,6}", max_length=200, verbose_name="mønster for koder"
                    ),
                ),
                (
                    "attributes",
                    models.JSONField(blank=True, default=list, verbose_name="egenskaber"),
                ),
                (
                    "has_geometry",
                    models.BooleanField(default=False, verbose_name="har geografi (kort)"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "register",
                "verbose_name_plural": "registre",
                "ordering": ["name"],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RenameModel("Municipality", "Organisation")],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, unrename_content_type),
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": ["code"],
                "verbose_name": "organisation",
                "verbose_name_plural": "organisationer",
            },
        ),
        migrations.AddField(
            model_name="organisation",
            name="register",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="reference.register",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="attributes",
            field=models.JSONField(blank=True, default=dict, verbose_name="egenskaber"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="is_active",
            field=models.BooleanField(
                default=True,
                help_text="Et medlem, der er fjernet fra registret, men har besvarelser, "
                "deaktiveres.",
                verbose_name="aktiv",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="code",
            field=models.CharField(max_length=20, verbose_name="kode"),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="name",
            field=models.CharField(max_length=200, verbose_name="navn"),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="region_code",
            field=models.CharField(
                blank=True, default="", max_length=4, verbose_name="regionskode"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="region_name",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="region"),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="dst_group",
            field=models.CharField(
                blank=True, default="", max_length=60, verbose_name="kommunegruppe (DST)"
            ),
        ),
    ]
