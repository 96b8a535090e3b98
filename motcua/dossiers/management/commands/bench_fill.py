"""Fill an empty database with a synthetic national-scale history for the load benchmark (`make bench-load`).

    python manage.py bench_fill --dossiers 1000000 --manifest var/bench/manifest.json

Refuses under MOTCUA_ENV=production and on a database that already has dossiers. The manifest (JSON) tells the
load harness what it may use: lookup pairs, citizens' and officers' API tokens, search terms, a submission
template, dossiers waiting for a leader's approval, pending VNPay payments, and the gateway's settings.
See motcua.dossiers.bench_history.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.dossiers.bench_history import Fill, refuse_unless_empty, write_manifest


class Command(BaseCommand):
    help = "Fill an empty database with N dossiers of synthetic history and write the load benchmark's manifest."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1_000_000)
        parser.add_argument("--manifest", type=Path, required=True)
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument(
            "--now", type=dt.datetime.fromisoformat, default=None,
            help="When the history ends (ISO 8601 with a time zone; default: now), for a reproducible fill.",
        )  # fmt: skip

    def handle(self, *args, dossiers: int, manifest: Path, seed: int, now: dt.datetime | None, **options):
        if dossiers < 100:
            raise CommandError("Fill at least 100 dossiers.")
        if now is not None and (now.tzinfo is None or now > timezone.now()):
            raise CommandError("--now needs a time zone and must not be in the future.")
        refuse_unless_empty()
        result = Fill(dossiers, seed=seed, now=now, log=self.stdout.write).run()
        write_manifest(result, manifest)
        self.stdout.write(
            f"{result['dossiers']:,} dossiers, {result['actions']:,} actions in {result['fill_seconds']} s "
            f"({result['database']}); manifest: {manifest}"
        )
