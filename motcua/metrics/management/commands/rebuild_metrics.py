"""manage.py rebuild_metrics: derive every dossier's fact from the action log and sum the day counts anew.

The roll-ups the outbox keeps up action by action must equal what this makes (the tests compare them); run it
after changing a scheme's counting rules, or to check a production database (`--check` changes nothing).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from motcua.metrics import rollups
from motcua.metrics.models import DailyCount, MonthlyCount, ProcedureDailyCount


def _counts() -> list[tuple]:
    """Every non-zero roll-up row, comparable across a rebuild (ids differ; the keys and values must not)."""
    return [
        *sorted(
            ("day", *row)
            for row in DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value")
        ),
        *sorted(
            ("month", *row)
            for row in MonthlyCount.objects.exclude(value=0).values_list("agency_id", "measure", "month", "value")
        ),
        *sorted(
            ("procedure", *row)
            for row in ProcedureDailyCount.objects.exclude(value=0).values_list(
                "agency_id", "procedure_id", "measure", "day", "value"
            )
        ),
    ]


class Command(BaseCommand):
    help = "Rebuild the index roll-ups (dossier facts and day counts) from the dossiers' action logs."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Rebuild, compare with today's, change nothing.")

    def handle(self, *args, check: bool = False, **options):
        before = _counts()
        with transaction.atomic():
            read = rollups.rebuild()
            after = _counts()
            if check:
                transaction.set_rollback(True)
        differ = before != after
        self.stdout.write(f"{read} dossiers read; {len(after)} counts; {'differ' if differ else 'same'}.")
        if check and differ:
            raise CommandError("The kept roll-ups differ from a rebuild from the action log.")
