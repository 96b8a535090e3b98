"""manage.py bench_metrics: dashboard latency over N dossiers of synthetic history (`make bench-metrics`).

    python manage.py bench_metrics --dossiers 1000000 --output bench-results/metrics-postgresql.json

Creates the agencies (every province's tree) and the demo procedures on an empty database, replaces the roll-ups
with those of N synthetic dossiers (metrics.bench: facts summed through `facts.contributions`, bulk-loaded), then
times what the dashboards, the public pages and the API read. With `--real-sample`, first measures the rebuild's
throughput and the outbox refresh's cost per action on that many real dossiers (rolled back afterwards). The
results are merged into the output file under the run's N. Refuses under MOTCUA_ENV=production and on a database
that holds dossiers (it replaces the roll-ups).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.metrics import bench


class Command(BaseCommand):
    help = "Benchmark the index dashboards over N dossiers of synthetic roll-ups (and a real sample's rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument("--end", type=dt.date.fromisoformat, default=None,
                            help="Last day of the history (default: yesterday).")  # fmt: skip
        parser.add_argument("--repeat", type=int, default=15, help="Timed runs of each read after the first.")
        parser.add_argument("--budget", type=float, default=30.0,
                            help="Seconds one read may take in all; past it, --min-runs.")  # fmt: skip
        parser.add_argument("--min-runs", type=int, default=3, help="Timed runs of each read at least.")
        parser.add_argument("--skip", action="append", default=[], help="Leave out the reads whose name has this.")
        parser.add_argument("--only", action="append", default=[], help="Time only the reads whose name has this.")
        parser.add_argument(
            "--real-sample",
            type=int,
            default=0,
            help="Real dossiers (bench_fill, rolled back) for the rebuild and refresh costs; 0: skip.",
        )
        parser.add_argument("--skip-load", action="store_true", help="Time the roll-ups already there.")
        parser.add_argument("--no-pages", action="store_true", help="Leave out the pages and the API.")
        parser.add_argument("--output", type=Path, default=None)

    def handle(self, *args, dossiers: int, seed: int, end: dt.date | None, repeat: int, budget: float,
               min_runs: int, skip: list[str], only: list[str], real_sample: int, skip_load: bool, no_pages: bool,
               output: Path | None, **options):  # fmt: skip
        if settings.ENVIRONMENT == "production":
            raise CommandError("Refusing to benchmark a production database.")
        if Dossier.objects.exists():
            raise CommandError("The database has dossiers: run the benchmark on a throw-away database.")
        end = end or timezone.localdate() - dt.timedelta(days=1)
        log = self.stdout.write
        started = time.perf_counter()
        run: dict = {"started_at": timezone.now().isoformat(timespec="seconds"), "dossiers": dossiers,
                     "seed": seed, "machine": bench.machine()}  # fmt: skip
        if real_sample:
            log(f"real sample: {real_sample:,} dossiers through bench_fill, then rebuild and refresh (rolled back)")
            run["real_sample"] = bench.real_sample(real_sample, log=log)
            log(f"  {json.dumps(run['real_sample'])}")
        bench.ensure_catalogue(log)
        if not skip_load:
            log(f"synthetic history: {dossiers:,} dossiers ending {end}")
            source = bench.Synthetic(dossiers, end=end, seed=seed)
            tick = time.perf_counter()
            generated = bench.load_rollups(source, log=log)
            run["load"] = {
                "history": [source.start.isoformat(), end.isoformat()], "agencies": len(source.agencies),
                "agencies_with_dossiers": len(generated.per_agency),
                "provinces_and_other_roots": len(generated.per_root),
                "dossiers": generated.dossiers, "received_counted": generated.received,
                "open_at_end": generated.open_at_end, "largest_agency_dossiers": max(generated.per_agency.values()),
                "seconds": round(time.perf_counter() - tick, 1), "generate_and_sum_seconds": generated.generate_seconds,
                "index_rebuild_seconds": generated.index_seconds, "shape": vars(source.shape),
            }  # fmt: skip
            log(f"  {json.dumps(run['load'])}")
        run["tables"] = bench.table_sizes()
        log(f"  roll-up tables: {json.dumps(run['tables'])}")
        run["end"] = end.isoformat()
        run["periods"] = {k: [a.isoformat(), b.isoformat()] for k, (a, b, _p) in bench.periods(end).items()}
        timings = {}
        for name, read in bench.reads(end, pages=not no_pages):
            if any(part in name for part in skip) or (only and not any(part in name for part in only)):
                continue
            try:
                timings[name] = bench.timed(read, repeat=repeat, budget_seconds=budget, min_runs=min_runs)
            except Exception as exc:  # a read another engineer is still changing must not lose the whole run
                timings[name] = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"  {name}: {json.dumps(timings[name])}")
        run["timings"] = timings
        run["machine"]["load_average_after"] = list(os.getloadavg())
        run["seconds"] = round(time.perf_counter() - started, 1)
        output = output or Path("bench-results") / f"metrics-{connection.vendor}.json"
        output.parent.mkdir(parents=True, exist_ok=True)
        document = json.loads(output.read_text(encoding="utf-8")) if output.exists() else {}
        previous = document.setdefault("runs", {}).get(str(dossiers))
        if skip_load and previous:  # a re-timing of the same roll-ups: keep what the load run measured
            run = {**previous, **run, "timings": {**previous.get("timings", {}), **timings}}
            run.setdefault("retimed_at", []).append(timezone.now().isoformat(timespec="seconds"))
        document["runs"][str(dossiers)] = run
        output.write_text(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        log(f"written {output} ({run['seconds']} s)")
