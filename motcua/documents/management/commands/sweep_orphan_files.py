"""Delete stored files that no document refers to (left by rolled-back transactions). Run it daily."""

import datetime as dt

from django.core.management.base import BaseCommand

from motcua.documents.services import SWEEP_GRACE, sweep_orphan_files


class Command(BaseCommand):
    help = "Delete files under documents/ that no stored document refers to and that are older than a grace time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-minutes", type=int, default=int(SWEEP_GRACE.total_seconds() // 60),
            help="Only files older than this are considered (default: %(default)s).",
        )  # fmt: skip

    def handle(self, *args, older_than_minutes: int, **options):
        if older_than_minutes < 10:
            self.stderr.write("Use at least 10 minutes: a younger file may belong to a transaction still running.")
            raise SystemExit(2)
        deleted = sweep_orphan_files(older_than=dt.timedelta(minutes=older_than_minutes))
        for name in deleted:
            self.stdout.write(f"deleted {name}")
        self.stdout.write(f"{len(deleted)} orphan file(s) deleted.")
