"""Data: QĐ 766 version 3, whose group CKMB is measured by the status sync to the national portal (indicator
CKMB.4), published from the same day as versions 1 and 2, which it retires (motcua/metrics/qd766.py)."""

from django.db import migrations

from motcua.metrics import qd766


def load(apps, schema_editor):
    qd766.load(
        apps.get_model("metrics", "IndexScheme"),
        apps.get_model("metrics", "IndicatorGroup"),
        apps.get_model("metrics", "Indicator"),
        version=3,
    )


def unload(apps, schema_editor):
    qd766.unload(apps.get_model("metrics", "IndexScheme"), version=3)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0007_fill_monthly_counts")]

    operations = [migrations.RunPython(load, unload)]
