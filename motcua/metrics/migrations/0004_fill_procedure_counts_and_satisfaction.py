"""Data: bring the roll-ups of an existing database up to 0003 — the dossiers' deltas by procedure, their
satisfaction ratings, and the feedback — so that they equal what `manage.py rebuild_metrics` makes.

Uses the pure delta functions (metrics.feedback_facts) over historical rows; the reverse empties what it filled.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import F
from django.utils import timezone

SATISFIED = ("very_satisfied", "satisfied")


def _add(model, where: dict, deltas: dict) -> None:
    for key in sorted(deltas):
        measure, day = key.split("|", 1)
        model.objects.get_or_create(**where, measure=measure, day=day, defaults={"value": 0})
        model.objects.filter(**where, measure=measure, day=day).update(value=F("value") + deltas[key])


def fill(apps, schema_editor):
    from motcua.metrics import feedback_facts

    DossierFact = apps.get_model("metrics", "DossierFact")
    FeedbackFact = apps.get_model("metrics", "FeedbackFact")
    DailyCount = apps.get_model("metrics", "DailyCount")
    ProcedureDailyCount = apps.get_model("metrics", "ProcedureDailyCount")
    Rating = apps.get_model("feedback", "Rating")
    Feedback = apps.get_model("feedback", "Feedback")

    ratings = {rating.dossier_id: rating for rating in Rating.objects.all()}
    by_procedure = defaultdict(int)
    for fact in DossierFact.objects.iterator(chunk_size=1000):
        contributed = dict(fact.contributions or {})
        # The day its open_overdue delta went up is the day from which it counted as overdue.
        overdue = [
            key.split("|", 1)[1] for key, value in contributed.items() if key.startswith("open_overdue|") and value > 0
        ]
        if overdue:
            fact.overdue_on = min(overdue)
            fact.save(update_fields=["overdue_on"])
        rating = ratings.get(fact.dossier_id)
        if rating is not None and not fact.withdrawn:
            day = timezone.localtime(rating.rated_at).date().isoformat()
            added = {f"dossiers_rated|{day}": 1}
            if rating.level in SATISFIED:
                added[f"dossiers_rated_satisfied|{day}"] = 1
            _add(DailyCount, {"agency_id": fact.agency_id}, added)
            for key, value in added.items():
                contributed[key] = contributed.get(key, 0) + value
            fact.rated_at = rating.rated_at
            fact.rated_satisfied = rating.level in SATISFIED
            fact.contributions = contributed
            fact.save(update_fields=["rated_at", "rated_satisfied", "contributions"])
        for key, value in contributed.items():
            by_procedure[(fact.agency_id, fact.procedure_id, key)] += value
    for (agency_id, procedure_id, key), value in by_procedure.items():
        if value:
            measure, day = key.split("|", 1)
            ProcedureDailyCount.objects.create(
                agency_id=agency_id, procedure_id=procedure_id, measure=measure, day=day, value=value
            )
    for feedback in Feedback.objects.iterator(chunk_size=1000):
        contributed = feedback_facts.contributions(feedback)
        FeedbackFact.objects.create(feedback_id=feedback.pk, agency_id=feedback.agency_id, contributions=contributed)
        _add(DailyCount, {"agency_id": feedback.agency_id}, contributed)


def empty(apps, schema_editor):
    DossierFact = apps.get_model("metrics", "DossierFact")
    FeedbackFact = apps.get_model("metrics", "FeedbackFact")
    DailyCount = apps.get_model("metrics", "DailyCount")
    apps.get_model("metrics", "ProcedureDailyCount").objects.all().delete()
    prefixes = ("dossiers_rated", "feedback_")
    DailyCount.objects.filter(measure__startswith=prefixes[0]).delete()
    DailyCount.objects.filter(measure__startswith=prefixes[1]).delete()
    FeedbackFact.objects.all().delete()
    for fact in DossierFact.objects.exclude(rated_at=None).iterator(chunk_size=1000):
        fact.contributions = {k: v for k, v in fact.contributions.items() if not k.startswith(prefixes[0])}
        fact.rated_at, fact.rated_satisfied = None, False
        fact.save(update_fields=["rated_at", "rated_satisfied", "contributions"])
    DossierFact.objects.update(overdue_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0003_procedure_counts_ratings_feedback_facts"),
        ("feedback", "0002_feedback_rules_data"),
    ]

    operations = [migrations.RunPython(fill, empty)]
