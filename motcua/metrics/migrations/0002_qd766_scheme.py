"""Data: the starting index scheme, QĐ 766/QĐ-TTg version 1, published, applying from 1 January 2025.

The data is in motcua/metrics/qd766.py (tests load it again after a transactional test empties the tables);
administrators change it by publishing a new version, never by editing this one.
"""

from django.db import migrations

from motcua.metrics import qd766


def load(apps, schema_editor):
    qd766.load(
        apps.get_model("metrics", "IndexScheme"),
        apps.get_model("metrics", "IndicatorGroup"),
        apps.get_model("metrics", "Indicator"),
    )


def unload(apps, schema_editor):
    qd766.unload(apps.get_model("metrics", "IndexScheme"))


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_index_schemes_facts_daily_counts")]

    operations = [migrations.RunPython(load, unload)]
