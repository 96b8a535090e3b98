import importlib

from django.db import migrations, models

# On SQLite, adding or removing a column rebuilds catalog_procedureversion and drops its triggers, among
# them the ones that keep the full-text index (0002) in step: they are created again after each rebuild.
search_index = importlib.import_module("motcua.catalog.migrations.0002_procedure_search_index")
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS catalog_version_fts_ai",
    "DROP TRIGGER IF EXISTS catalog_version_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_version_fts_au",
    *search_index.SQLITE_FORWARD[1:],  # the three triggers, then a rebuild of the index
]


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_procedure_search_index"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name="procedureversion",
            name="fees_due",
            field=models.CharField(
                choices=[("on_submission", "khi nộp hồ sơ"), ("on_request", "khi cơ quan giải quyết yêu cầu")],
                default="on_request",
                max_length=20,
                verbose_name="thời điểm nộp phí, lệ phí",
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
