"""Benchmark of the dossier reads that must stay fast at scale (worklists, my dossiers, lookup).

Fills the configured database (use a throw-away one: `make bench` does) with N dossiers spread over
agencies, states and dates, then times each read several times and writes the medians as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from motcua.accounts.models import Membership, User, UserKind
from motcua.catalog.models import Agency, AgencyKind
from motcua.catalog.tests.factories import CommuneFactory, ProvinceFactory, publish_procedure
from motcua.dossiers import queries
from motcua.dossiers.bench_history import refuse_unless_empty
from motcua.dossiers.models import ChannelCode, Dossier, DossierState

AGENCIES = 50
CITIZENS = 2000
BATCH = 5000


class Command(BaseCommand):
    help = "Time worklists, my dossiers and lookup over N generated dossiers; write the results as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=200_000)
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--output", type=Path, default=Path("bench-results/dossiers.json"))

    def handle(self, *args, dossiers: int, repeat: int, output: Path, **options):
        refuse_unless_empty()
        started = time.perf_counter()
        officer, citizen, sample = self._fill(dossiers)
        fill_seconds = time.perf_counter() - started
        now = timezone.now()
        reads = {
            "worklist_counts": lambda: queries.worklist_counts(officer, now=now),
            "worklist_all_first_page": lambda: _page(queries.worklist(officer, "all", now=now)),
            "worklist_overdue_first_page": lambda: _page(queries.worklist(officer, "overdue", now=now)),
            "worklist_queue_first_page": lambda: _page(queries.worklist(officer, "queue", now=now)),
            "my_dossiers_first_page": lambda: _page(queries.applicant_dossiers(citizen)),
            "dossier_detail": lambda: queries.get_visible_dossier(officer, sample.code),
            "public_lookup": lambda: queries.lookup_dossier(
                code=sample.code, id_last4=sample.applicant_identifier[-4:]
            ),
        }
        results = {}
        for name, read in reads.items():
            read()  # warm caches: we measure steady state
            timings = []
            for _ in range(repeat):
                begin = time.perf_counter()
                read()
                timings.append((time.perf_counter() - begin) * 1000)
            results[name] = {"median_ms": round(statistics.median(timings), 2), "max_ms": round(max(timings), 2)}
            self.stdout.write(
                f"{name:32s} median {results[name]['median_ms']:8.2f} ms   max {results[name]['max_ms']:8.2f} ms"
            )
        report = {
            "benchmark": "dossier reads",
            "database": connection.vendor,
            "dossiers": dossiers,
            "agencies": AGENCIES,
            "officer_agency_dossiers": Dossier.objects.filter(agency=sample.agency).count(),
            "fill_seconds": round(fill_seconds, 1),
            "repeat": repeat,
            "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
            "measured_at": now.isoformat(timespec="seconds"),
            "results": results,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {output}")

    def _fill(self, total: int):
        rng = random.Random(766)
        version = publish_procedure()
        steps = list(version.steps.order_by("position"))
        province = ProvinceFactory()
        agencies = []
        for index in range(AGENCIES):
            commune = CommuneFactory(code=f"{30000 + index:05d}", name=f"Phường Thử {index}", parent=province)
            agencies.append(
                Agency.objects.create(
                    identifier=f"H99.{index // 100 + 10}.{index % 100 + 100}",
                    name=f"UBND {commune.name}",
                    kind=AgencyKind.COMMUNE_PC,
                    unit=commune,
                )  # fmt: skip
            )
        officer = User.objects.create(username="bench.officer", kind=UserKind.OFFICER, full_name="Cán bộ thử")
        for role in ("reception", "specialist", "leader"):
            Membership.objects.create(user=officer, agency=agencies[0], role=role)
        citizens = User.objects.bulk_create(
            User(
                username=f"04819{index:07d}", kind=UserKind.CITIZEN, citizen_id=f"04819{index:07d}",
                full_name=f"Công dân {index}",
            )
            for index in range(CITIZENS)
        )  # fmt: skip
        base = timezone.now() - dt.timedelta(days=365)
        states = [int(state) for state in DossierState]
        per_day: dict[tuple[int, str], int] = {}
        for start in range(0, total, BATCH):
            rows = []
            for index in range(start, min(start + BATCH, total)):
                agency = agencies[index % AGENCIES]
                applicant = citizens[rng.randrange(CITIZENS)]
                submitted = base + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
                state = rng.choice(states)
                received = submitted + dt.timedelta(hours=2) if state != DossierState.SUBMITTED else None
                day = f"{submitted:%y%m%d}"
                per_day[(agency.pk, day)] = per_day.get((agency.pk, day), 0) + 1
                rows.append(
                    Dossier(
                        code=f"{agency.identifier}-{day}-{per_day[(agency.pk, day)]:04d}",
                        procedure_version=version,
                        agency=agency,
                        applicant=applicant,
                        applicant_name=applicant.full_name,
                        applicant_identifier=applicant.citizen_id,
                        channel=rng.choice(ChannelCode.values),
                        state=state,
                        submitted_at=submitted,
                        received_at=received,
                        appointment_at=received + dt.timedelta(days=7) if received else None,
                        paused_at=submitted if state == DossierState.SUPPLEMENT_REQUESTED else None,
                        resume_state=DossierState.PROCESSING if state == DossierState.SUPPLEMENT_REQUESTED else None,
                        current_step=rng.choice(steps) if state in (2, 4, 6) else None,
                        assignee=officer if state in (2, 4) and rng.random() < 0.2 and agency == agencies[0] else None,
                    )  # fmt: skip
                )
            with transaction.atomic():
                Dossier.objects.bulk_create(rows, batch_size=1000)
            self.stdout.write(f"  {min(start + BATCH, total):,} dossiers", ending="\r")
        self.stdout.write("")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics for the planner, on either database
        sample = Dossier.objects.filter(agency=agencies[0]).order_by("pk").first()
        return officer, citizens[0], sample


def _page(queryset) -> int:
    count = queryset.count()
    list(queryset[: settings.WORKLIST_PAGE_SIZE])
    return count
