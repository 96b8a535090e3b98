"""Data: the purposes citizens are asked to consent to, and the deadlines for their rights requests.

Both are configuration an operator edits in the admin; the starting values are in motcua/wallet/defaults.py.
"""

from django.db import migrations

from motcua.wallet import defaults


def load(apps, schema_editor):
    defaults.load(apps.get_model("wallet", "ConsentPurpose"), apps.get_model("wallet", "RightsRequestRule"))


def unload(apps, schema_editor):
    kinds = [kind for kind, _hours, _basis in defaults.RULES]
    apps.get_model("wallet", "RightsRequestRule").objects.filter(kind__in=kinds).delete()
    purposes = apps.get_model("wallet", "ConsentPurpose").objects.filter(code__in=[p["code"] for p in defaults.PURPOSES])
    purposes.filter(consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("wallet", "0002_access_log_append_only")]

    operations = [migrations.RunPython(load, unload)]
