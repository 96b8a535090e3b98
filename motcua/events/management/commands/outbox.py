"""`manage.py outbox`: what the outbox holds; `--relay` delivers what is due now; `--retry-dead` retries what
was given up on."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from motcua.events import delivery, queries, services


class Command(BaseCommand):
    help = "Show the outbox backlog; --relay delivers what is due now; --retry-dead retries dead messages."

    def add_arguments(self, parser):
        parser.add_argument("--relay", action="store_true", help="deliver every due message now, in this process")
        parser.add_argument("--retry-dead", action="store_true", help="retry every message that was given up on")

    def handle(self, *args, relay: bool, retry_dead: bool, **options):
        if retry_dead:
            self.stdout.write(f"retrying {services.retry_dead()} dead message(s)")
        if relay:
            self.stdout.write(f"relayed: {json.dumps(delivery.relay_due(budget_seconds=3600))}")
        self.stdout.write(json.dumps(queries.outbox_summary()))
