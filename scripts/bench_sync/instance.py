"""One simulated provincial instance of `make bench-sync`: its own SQLite database (a copy of the template), its
own instance code and signing key, the real sender (`sync.services.push_pending`) posting to the national gunicorn
through the real `motcua` connector.

    python scripts/bench_sync/instance.py --dir RUN_DIR --code 79 --share 0.09

The environment (set by run.py) holds DATABASE_URL, MOTCUA_INSTANCE_CODE, MOTCUA_INSTANCE_KEY_FILE,
MOTCUA_SYNC_CONNECTOR=motcua and MOTCUA_NATIONAL_URL.

1. Preparation (not timed): the copy's agency and dossiers get this province's codes; every action of every
   dossier is recorded by the real `record_changes` (one call per dossier, with its last action: each change gets
   the payload as of its own action; timed); the records are then taken out of the table and held in memory, so
   nothing is pending.
2. Ready: writes RUN_DIR/ready-CODE.json, then waits for RUN_DIR/plan.json (the phases, in wall-clock time).
3. Run: a releaser thread puts the held records back (same ids, payloads and numbering; `created_at` = the
   moment of release) at Poisson-distributed times at this instance's share of each phase's rate, and advances
   the dossier's sync state, in one transaction per release, as record_changes would; then wakes the sender. The
   sender thread calls push_pending when woken, when a failed push's backoff is over (`retry_in`, as
   sync.tasks.push_now schedules it) and every 60 s (the periodic task).
4. On SIGTERM: stops both threads and writes RUN_DIR/instance-CODE.json (what was released when, and the
   sender's calls).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

TEMPLATE_AGENCY = "H17.20.194"
PERIODIC_SECONDS = 60.0


def agency_identifier(code: str) -> str:
    return f"P{code}.20.194"


def prepare(code: str, seed: int, dossiers: int) -> tuple[list, dict]:
    """Give the copy this province's codes, record every change with the real record_changes, hold the records."""
    from django.db import connection, transaction
    from django.db.models import Max

    from motcua.dossiers.models import ActionKind, Dossier, DossierAction
    from motcua.events.models import OutboxMessage
    from motcua.sync import services
    from motcua.sync.models import DossierSyncState, SyncRecord

    new = agency_identifier(code)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_agency SET identifier = %s, name = name || %s WHERE identifier = %s",
            [new, f" (tỉnh/thành {code})", TEMPLATE_AGENCY],
        )
        cursor.execute(
            "UPDATE dossiers_dossier SET code = %s || substr(code, %s) WHERE code LIKE %s",
            [new, len(TEMPLATE_AGENCY) + 1, f"{TEMPLATE_AGENCY}-%"],
        )
    used = list(Dossier.objects.order_by("pk").values_list("pk", flat=True)[:dossiers])
    # One call per dossier, with its last action: record_changes records every change not recorded yet, each with
    # the payload as of its own action (what happens when sync is turned on after the dossier's start), so the
    # preparation costs one call per dossier instead of eight.
    last_actions = (
        DossierAction.objects.filter(dossier_id__in=used).exclude(kind=ActionKind.VIEW)
        .values("dossier_id").annotate(last=Max("pk")).order_by("dossier_id").values_list("last", flat=True)
    )  # fmt: skip
    timings = []
    for action_id in last_actions:
        started = time.perf_counter()
        made = services.record_changes(action_id=action_id)
        timings.append((time.perf_counter() - started) * 1000 / max(1, len(made)))
    fields = [f.attname for f in SyncRecord._meta.concrete_fields]
    held = [{name: getattr(r, name) for name in fields} for r in SyncRecord.objects.order_by("pk")]
    codes = dict(SyncRecord.objects.values_list("dossier_id", "dossier__code").distinct())
    if not held:
        raise SystemExit("record_changes recorded nothing: is MOTCUA_SYNC_CONNECTOR off?")
    with transaction.atomic():
        SyncRecord.objects.all().delete()
        DossierSyncState.objects.update(last_seq=0, accepted_seq=0)
        # The push wake-ups and events record_changes queued: no worker runs here, the sender loop pushes.
        OutboxMessage.objects.all().delete()
    # The release order: each dossier's changes at sorted random moments, all dossiers merged, so a dossier's
    # changes go out in their order but interleaved with the others'.
    rng = random.Random(seed)
    by_dossier: dict[int, list[dict]] = {}
    for row in held:
        by_dossier.setdefault(row["dossier_id"], []).append(row)
    keyed = []
    for rows in by_dossier.values():
        rows.sort(key=lambda r: r["seq"])
        for key, row in zip(sorted(rng.random() for _ in rows), rows, strict=True):
            keyed.append((key, row))
    keyed.sort(key=lambda item: item[0])
    order = [row for _key, row in keyed]
    for row in order:
        row["_code"] = codes[row["dossier_id"]]
    timings.sort()
    stats = {
        "dossiers": len(by_dossier),
        "records": len(order),
        "record_changes_calls": len(timings),
        "record_changes_ms_per_change": {
            "p50": _pct(timings, 0.5), "p95": _pct(timings, 0.95), "max": timings[-1] if timings else None,
            "mean": sum(timings) / len(timings) if timings else None,
        },
        "payload_bytes_mean": (
            sum(len(json.dumps(r["payload"], ensure_ascii=False).encode()) for r in order) / len(order) if order else 0
        ),
    }  # fmt: skip
    return order, stats


def _pct(values: list[float], fraction: float):
    if not values:
        return None
    import math

    return values[min(len(values), max(1, math.ceil(fraction * len(values)))) - 1]


def arrivals(plan: dict, share: float, seed: int) -> list[tuple[float, str]]:
    """(wall-clock time, phase) of every release of this instance: a Poisson process at share × each phase's rate."""
    rng = random.Random(seed)
    out = []
    for phase in plan["phases"]:
        rate = phase["rate"] * share
        if rate <= 0:
            continue
        moment, end = phase["start"], phase["start"] + phase["seconds"]
        while True:
            moment += rng.expovariate(rate)
            if moment >= end:
                break
            out.append((moment, phase["name"]))
    return out


class Instance:
    def __init__(self, order: list[dict], schedule: list[tuple[float, str]]):
        self.order = order
        self.schedule = schedule
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.released: list[list] = []  # [dossier code, seq, phase, scheduled, released]
        self.ran_out = 0
        self.calls: list[dict] = []
        self.errors: list[str] = []

    # ----- releaser ------------------------------------------------------------------------------------------------

    def release_loop(self) -> None:
        from django.db import connection

        position = 0
        try:
            index = 0
            while index < len(self.schedule) and not self.stop.is_set():
                now = time.time()
                due_until = index
                while due_until < len(self.schedule) and self.schedule[due_until][0] <= now:
                    due_until += 1
                if due_until == index:
                    self.stop.wait(min(self.schedule[index][0] - now, 0.5))
                    continue
                due = self.schedule[index:due_until]
                index = due_until
                rows = self.order[position : position + len(due)]
                self.ran_out += len(due) - len(rows)
                position += len(rows)
                if rows:
                    released_at = self._release(rows)
                    for row, (scheduled, phase) in zip(rows, due, strict=False):
                        self.released.append([row["_code"], row["seq"], phase, scheduled, released_at])
                    self.wake.set()
        except Exception as exc:  # keep the figures of what ran
            self.errors.append(f"releaser: {exc!r}")
            raise
        finally:
            connection.close()

    def _release(self, rows: list[dict]) -> float:
        from django.db import transaction
        from django.utils import timezone

        from motcua.sync.models import DossierSyncState, RecordStatus, SyncRecord

        with transaction.atomic():
            now = timezone.now()
            records = []
            for row in rows:
                values = {k: v for k, v in row.items() if not k.startswith("_")}
                values.update(created_at=now, status=RecordStatus.PENDING, accepted_at=None, attempts=0, last_error="")
                records.append(SyncRecord(**values))
            SyncRecord.objects.bulk_create(records)
            last: dict[int, int] = {}
            for row in rows:
                last[row["dossier_id"]] = max(last.get(row["dossier_id"], 0), row["seq"])
            for dossier_id, seq in last.items():
                DossierSyncState.objects.filter(pk=dossier_id).update(last_seq=seq)
        return now.timestamp()

    # ----- sender --------------------------------------------------------------------------------------------------

    def send_loop(self) -> None:
        from django.db import connection

        from motcua.sync import services

        scheduled: list[float] = []  # retries scheduled by failed or out-of-budget pushes (push_now's schedule())
        next_periodic = time.monotonic() + PERIODIC_SECONDS
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                while scheduled and scheduled[0] <= now:
                    heapq.heappop(scheduled)
                    self.wake.set()
                if now >= next_periodic:
                    next_periodic = now + PERIODIC_SECONDS
                    self.wake.set()
                if not self.wake.is_set():
                    until = min([next_periodic, *scheduled[:1]]) - now
                    self.wake.wait(max(0.0, min(until, 0.5)))
                    continue
                self.wake.clear()
                started = time.time()
                try:
                    summary = services.push_pending()
                except Exception as exc:  # a crash of the sender is a finding: note it and carry on like a task
                    self.errors.append(f"push_pending: {exc!r}")
                    heapq.heappush(scheduled, time.monotonic() + 1)
                    continue
                self.calls.append(
                    {"at": started, "seconds": round(time.time() - started, 4), "batches": summary.batches,
                     "sent": summary.sent, "accepted": summary.accepted, "duplicates": summary.duplicates,
                     "gaps": summary.gaps, "refused": summary.refused, "failed": summary.failed,
                     "retry_in": round(summary.retry_in, 3), "skipped": summary.skipped}
                )  # fmt: skip
                if summary.retry_in:
                    heapq.heappush(scheduled, time.monotonic() + summary.retry_in)
        finally:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--share", type=float, required=True, help="this instance's share of each phase's rate")
    parser.add_argument("--dossiers", type=int, required=True, help="how many of the template's dossiers to use")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    import django

    django.setup()
    seed = args.seed * 1000 + int(args.code)
    started = time.monotonic()
    order, prep = prepare(args.code, seed, args.dossiers)
    prep["seconds"] = round(time.monotonic() - started, 2)
    (args.dir / f"ready-{args.code}.json").write_text(json.dumps(prep))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    plan_path = args.dir / "plan.json"
    while not plan_path.exists():
        if stopping.wait(0.2):
            return
    plan = json.loads(plan_path.read_text())
    instance = Instance(order, arrivals(plan, args.share, seed + 1))
    threads = [threading.Thread(target=instance.release_loop, name="releaser"),
               threading.Thread(target=instance.send_loop, name="sender")]  # fmt: skip
    for thread in threads:
        thread.start()
    stopping.wait()
    instance.stop.set()
    instance.wake.set()
    for thread in threads:
        thread.join(timeout=60)
    result = {
        "code": args.code, "share": args.share, "prep": prep, "scheduled": len(instance.schedule),
        "released": instance.released, "ran_out": instance.ran_out, "calls": instance.calls,
        "errors": instance.errors,
    }  # fmt: skip
    (args.dir / f"instance-{args.code}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
