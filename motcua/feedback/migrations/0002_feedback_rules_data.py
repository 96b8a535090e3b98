"""Data: the deadlines of feedback handling and the rating window (FeedbackRule), from motcua/feedback/defaults.py.

They are configuration an administrator edits in the admin; this loads the starting values once.
"""

from django.db import migrations

from motcua.feedback import defaults


def load(apps, schema_editor):
    defaults.load(apps.get_model("feedback", "FeedbackRule"))


def unload(apps, schema_editor):
    kinds = [kind for kind, _days, _unit, _basis in defaults.RULES]
    apps.get_model("feedback", "FeedbackRule").objects.filter(kind__in=kinds).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_ratings_feedback_and_rules")]

    operations = [migrations.RunPython(load, unload)]
