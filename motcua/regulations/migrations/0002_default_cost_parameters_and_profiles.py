"""Data: the starting unit costs (CostParameters, two versions) and the default profiles of each service level,
from motcua/regulations/defaults.py. Administrators edit them in the admin; this loads the starting values once.
"""

from django.db import migrations

from motcua.regulations import defaults


def load(apps, schema_editor):
    defaults.load(apps.get_model("regulations", "CostParameters"), apps.get_model("regulations", "ComplianceCostProfile"))


def unload(apps, schema_editor):
    days = [row["valid_from"] for row in defaults.PARAMETERS]
    apps.get_model("regulations", "CostParameters").objects.filter(valid_from__in=days).delete()
    apps.get_model("regulations", "ComplianceCostProfile").objects.filter(procedure__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("regulations", "0001_compliance_cost_parameters_and_profiles")]

    operations = [migrations.RunPython(load, unload)]
