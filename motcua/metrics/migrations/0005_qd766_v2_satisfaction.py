"""Data: QĐ 766 version 2, whose group MDHL has indicators (feedback handled on time, satisfaction with feedback
and with dossiers), published from the same day as version 1, which it retires (motcua/metrics/qd766.py)."""

from django.db import migrations

from motcua.metrics import qd766


def load(apps, schema_editor):
    qd766.load(
        apps.get_model("metrics", "IndexScheme"),
        apps.get_model("metrics", "IndicatorGroup"),
        apps.get_model("metrics", "Indicator"),
        version=2,
    )


def unload(apps, schema_editor):
    qd766.unload(apps.get_model("metrics", "IndexScheme"), version=2)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0004_fill_procedure_counts_and_satisfaction")]

    operations = [migrations.RunPython(load, unload)]
