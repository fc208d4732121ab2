"""Municipality moves here from surveys. Only Django's model state moves: the table keeps its
name (surveys_municipality), its rows and every foreign key pointing at it. The content type
is relabelled so permissions and admin history stay attached."""

from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reference", model="municipality").exists():
        ContentType.objects.filter(app_label="surveys", model="municipality").update(
            app_label="reference"
        )


def unlabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="surveys", model="municipality").exists():
        ContentType.objects.filter(app_label="reference", model="municipality").update(
            app_label="surveys"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("surveys", "0002_load_municipalities"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Municipality",
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
                            "code",
                            models.CharField(max_length=4, unique=True, verbose_name="kommunekode"),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="navn")),
                        ("region_code", models.CharField(max_length=4, verbose_name="regionskode")),
                        ("region_name", models.CharField(max_length=100, verbose_name="region")),
                        (
                            "dst_group",
                            models.CharField(max_length=60, verbose_name="kommunegruppe (DST)"),
                        ),
                        (
                            "is_synthetic",
                            models.BooleanField(
                                default=False,
                                help_text="Syntetisk kommune til belastningstest "
                                "(kode uden for 101–860).",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "kommune",
                        "verbose_name_plural": "kommuner",
                        "ordering": ["code"],
                        "db_table": "surveys_municipality",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, unlabel_content_type),
    ]
