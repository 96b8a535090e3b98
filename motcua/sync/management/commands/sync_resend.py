"""manage.py sync_resend --since 2026-11-01 [--agency H17.20.194 ...]: send again every change recorded since that
day (after the national portal lost data, say; it drops what it already holds)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.catalog.models import Agency
from motcua.sync import services


class Command(BaseCommand):
    help = "Send again every dossier change recorded since a day (of these agencies)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--agency", action="append", default=[], help="An agency identifier (repeatable).")

    def handle(self, *args, since: dt.date, agency: list[str], **options) -> None:
        agency_ids = None
        if agency:
            found = dict(Agency.objects.filter(identifier__in=agency).values_list("identifier", "pk"))
            missing = sorted(set(agency) - set(found))
            if missing:
                raise CommandError(f"No agency {', '.join(missing)}.")
            agency_ids = list(found.values())
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        count = services.resend_since(since=start, agency_ids=agency_ids)
        self.stdout.write(f"{count} changes will be sent again.")
