"""The figures of `make bench-sync`, read from the databases after the run: what each instance released and when
(its dump), what its sender recorded (its SQLite database), and what the national instance holds (PostgreSQL).

Nothing here is estimated: each change is followed by (dossier code, seq) from its release to the national row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def spread(values: list[float], scale: float = 1000.0) -> dict:
    """p50/p95/p99/max/mean of seconds, given in ms (scale 1000) or as they are (scale 1)."""
    ordered = sorted(values)

    def r(value):
        return None if value is None else round(value * scale, 1)

    return {
        "count": len(ordered),
        "p50": r(percentile(ordered, 0.50)),
        "p95": r(percentile(ordered, 0.95)),
        "p99": r(percentile(ordered, 0.99)),
        "max": r(ordered[-1] if ordered else None),
        "mean": r(sum(ordered) / len(ordered) if ordered else None),
    }


def _sqlite_time(value: str | None) -> float | None:
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def read_instance(path: Path) -> dict:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        records = {
            (code, seq): {"status": status, "state": state, "created": _sqlite_time(created),
                          "accepted": _sqlite_time(accepted), "attempts": attempts}
            for code, seq, status, state, created, accepted, attempts in conn.execute(
                "SELECT d.code, r.seq, r.status, r.state, r.created_at, r.accepted_at, r.attempts "
                "FROM sync_syncrecord r JOIN dossiers_dossier d ON d.id = r.dossier_id"
            )
        }  # fmt: skip
        attempts = [
            {"batch": batch, "started": _sqlite_time(started), "ms": ms, "outcome": outcome, "http": http,
             "error": error, "records": n}
            for batch, started, ms, outcome, http, error, n in conn.execute(
                "SELECT a.batch_id, a.started_at, a.duration_ms, a.outcome, a.http_status, a.error, "
                "(SELECT count(*) FROM sync_syncattempt_records m WHERE m.syncattempt_id = a.id) "
                "FROM sync_syncattempt a"
            )
        ]  # fmt: skip
    return {"records": records, "attempts": attempts}


def read_national(dsn: str) -> dict:
    import psycopg

    with psycopg.connect(dsn) as conn:
        changes = conn.execute(
            "SELECT d.code, c.seq, extract(epoch FROM c.received_at)::float8, b.message_id "
            "FROM national_nationalchange c JOIN national_nationaldossier d ON d.id = c.dossier_id "
            "JOIN national_receivedbatch b ON b.id = c.batch_id"
        ).fetchall()
        dossiers = conn.execute(
            "SELECT d.code, d.last_seq, d.state, count(c.id), min(c.seq), max(c.seq) FROM national_nationaldossier d "
            "LEFT JOIN national_nationalchange c ON c.dossier_id = d.id GROUP BY d.id"
        ).fetchall()
        batches = conn.execute(
            "SELECT message_id, extract(epoch FROM received_at)::float8, outcome, reason, records, accepted, "
            "duplicates, gaps, refused_records, claimed_issuer FROM national_receivedbatch"
        ).fetchall()
        unique_pairs = conn.execute(
            "SELECT count(*) FROM (SELECT dossier_id, seq FROM national_nationalchange GROUP BY dossier_id, seq "
            "HAVING count(*) > 1) twice"
        ).fetchone()[0]
    return {"changes": changes, "dossiers": dossiers, "batches": batches, "pairs_twice": unique_pairs}


def measure(
    *, pg_dsn: str, instances_dir: Path, run_dir: Path, codes: list[str], plan: dict, events: list[dict], cpu: list
) -> dict:
    phases = plan["phases"]
    released: dict[tuple[str, int], dict] = {}
    dumps = {}
    senders: dict[str, dict] = {}
    for code in codes:
        dump = json.loads((run_dir / f"instance-{code}.json").read_text())
        dumps[code] = dump
        for dossier, seq, phase, scheduled, at in dump["released"]:
            released[(dossier, seq)] = {"phase": phase, "scheduled": scheduled, "released": at, "instance": code}
        senders[code] = read_instance(instances_dir / f"{code}.sqlite3")
    national = read_national(pg_dsn)

    at_national: dict[tuple[str, int], list] = defaultdict(list)
    for code, seq, received, batch in national["changes"]:
        at_national[(code, seq)].append((received, batch))
    sender_records = {key: rec for s in senders.values() for key, rec in s["records"].items()}
    attempts = [a | {"instance": code} for code, s in senders.items() for a in s["attempts"]]
    accepted_batches = {b[0] for b in national["batches"] if b[2] == "accepted"}

    def window(phase: dict) -> tuple[float, float]:
        """From the phase's start to the next phase's start (its quiet time after included)."""
        index = phases.index(phase)
        end = phases[index + 1]["start"] if index + 1 < len(phases) else math.inf
        return phase["start"], end

    rows = []
    for phase in phases:
        name, (start, until) = phase["name"], window(phase)
        mine = {key: value for key, value in released.items() if value["phase"] == name}
        found = [key for key in mine if key in at_national]
        once = [key for key in found if len(at_national[key]) == 1]
        lag_national = [at_national[key][0][0] - mine[key]["released"] for key in found]
        lag_confirmed = [
            sender_records[key]["accepted"] - mine[key]["released"]
            for key in mine
            if key in sender_records and sender_records[key]["accepted"] is not None
        ]
        lateness = [value["released"] - value["scheduled"] for value in mine.values()]
        received_times = sorted(at_national[key][0][0] for key in found)
        in_phase = [t for t in received_times if start <= t < start + phase["seconds"]]
        per_second = Counter(int(t - start) for t in received_times)
        batches = [b for b in national["batches"] if start <= b[1] < until]
        accepted = [b for b in batches if b[2] == "accepted"]
        refused = Counter(b[3] for b in batches if b[2] == "refused")
        tried = [a for a in attempts if a["started"] is not None and start <= a["started"] < until]
        outcomes = Counter(a["outcome"] for a in tried)
        lost_answers = [a for a in tried if a["outcome"] != "delivered" and a["batch"] in accepted_batches]
        delivered_ms = sorted(a["ms"] / 1000 for a in tried if a["outcome"] == "delivered")
        row = {
            "phase": name,
            "target_rate": phase["rate"],
            "seconds": phase["seconds"],
            "released": len(mine),
            "released_rate": round(len(mine) / phase["seconds"], 2),
            "release_lateness_ms": spread(lateness),
            "at_national": len(found),
            "exactly_once": len(once),
            "missing": len(mine) - len(found),
            "more_than_once": len(found) - len(once),
            "accepted_at_sender": sum(1 for key in mine if sender_records.get(key, {}).get("status") == "accepted"),
            "lag_to_national_ms": spread(lag_national),
            "lag_to_confirmed_ms": spread(lag_confirmed),
            "accepted_per_second_during_phase": round(len(in_phase) / phase["seconds"], 2),
            "peak_accepted_in_one_second": max(per_second.values()) if per_second else 0,
            "all_at_national_after_seconds": round(received_times[-1] - start, 2) if received_times else None,
            # The phase's changes over the time until the last was in: the rate the system kept up, backlog included.
            "changes_per_second_until_all_in": (
                round(len(found) / (received_times[-1] - start), 1)
                if received_times and received_times[-1] > start
                else None
            ),
            "national_batches": {
                "accepted": len(accepted),
                "refused": dict(refused),
                "changes_per_batch_mean": round(sum(b[4] for b in accepted) / len(accepted), 2) if accepted else None,
                "changes_per_batch_max": max((b[4] for b in accepted), default=None),
                "answered_duplicate": sum(b[6] for b in accepted),
                "answered_gap": sum(b[7] for b in accepted),
                "refused_changes": sum(b[8] for b in accepted),
            },
            "sender_attempts": {
                "total": len(tried),
                "by_outcome": dict(outcomes),
                "applied_at_national_but_answer_lost": len(lost_answers),
                "round_trip_ms": spread(delivered_ms),
            },
            "changes_sent_more_than_once": sum(1 for key in mine if sender_records.get(key, {}).get("attempts", 0) > 1),
            "cpu_seconds": _cpu(
                cpu,
                start,
                until,
                busy_until=max(start + phase["seconds"], received_times[-1] if received_times else 0),
                changes=len(mine),
            ),
            "accepted_per_second_series": [per_second.get(i, 0) for i in range(max(per_second, default=-1) + 1)],
            "by_instance": _by_instance(mine, at_national, attempts, start, until),
        }
        rows.append(row)

    kill = _kill(phases, events, released, at_national, attempts)
    national_keys = set(at_national)
    extra = national_keys - set(released)
    not_contiguous = [d for d in national["dossiers"] if not (d[3] == d[5] == d[1] and d[4] == 1)]
    # The national dossier's latest status is the sender's latest released change of it.
    last_released: dict[str, int] = {}
    for dossier, seq in released:
        last_released[dossier] = max(last_released.get(dossier, 0), seq)
    state_of = {d[0]: (d[1], d[2]) for d in national["dossiers"]}
    stale = [
        code
        for code, seq in last_released.items()
        if state_of.get(code) != (seq, sender_records.get((code, seq), {}).get("state"))
    ]
    calls = [c for dump in dumps.values() for c in dump["calls"]]
    summary = {
        "released": len(released),
        "at_national": len(national_keys & set(released)),
        "missing": len(set(released) - national_keys),
        "more_than_once": sum(1 for key in released if len(at_national.get(key, [])) > 1),
        "pairs_twice_in_national_table": national["pairs_twice"],
        "at_national_never_released": len(extra),
        "dossiers_at_national": len(national["dossiers"]),
        "dossiers_not_contiguous": len(not_contiguous),
        "dossiers_whose_latest_status_differs": len(stale),
        "sender_records": len(sender_records),
        "sender_records_not_accepted": sum(1 for rec in sender_records.values() if rec["status"] != "accepted"),
        "sender_records_never_released": len(set(sender_records) - set(released)),
        "ran_out_of_prepared_changes": sum(dump["ran_out"] for dump in dumps.values()),
        "instance_errors": {code: dump["errors"] for code, dump in dumps.items() if dump["errors"]},
        "push_pending_calls": len(calls),
        "push_pending_skipped": dict(Counter(c["skipped"] for c in calls if c["skipped"])),
    }
    summary["correct"] = (
        summary["missing"] == summary["more_than_once"] == summary["at_national_never_released"] == 0
        and summary["pairs_twice_in_national_table"] == 0
        and summary["dossiers_not_contiguous"] == summary["dossiers_whose_latest_status_differs"] == 0
        and summary["sender_records_not_accepted"] == summary["sender_records_never_released"] == 0
        and summary["ran_out_of_prepared_changes"] == 0
        and not summary["instance_errors"]
        and summary["released"] > 0
    )
    prep = [dump["prep"] for dump in dumps.values()]
    timings = sorted(
        p["record_changes_ms_per_change"]["p50"] for p in prep if p["record_changes_ms_per_change"]["p50"] is not None
    )
    preparation = {
        "records": sum(p["records"] for p in prep),
        "dossiers": sum(p["dossiers"] for p in prep),
        "record_changes_calls": sum(p["record_changes_calls"] for p in prep),
        "record_changes_ms_per_change_p50_median_of_instances": percentile(timings, 0.5),
        "record_changes_ms_per_change_p95_worst_instance": max(
            (p["record_changes_ms_per_change"]["p95"] or 0) for p in prep
        ),
        "record_changes_ms_per_change_mean": round(
            sum(p["record_changes_ms_per_change"]["mean"] * p["record_changes_calls"] for p in prep)
            / max(1, sum(p["record_changes_calls"] for p in prep)), 2
        ),
        "payload_bytes_mean": round(sum(p["payload_bytes_mean"] * p["records"] for p in prep)
                                    / max(1, sum(p["records"] for p in prep))),
        "instance_seconds_max": max(p["seconds"] for p in prep),
    }  # fmt: skip
    return {"phases": rows, "kill": kill, "summary": summary, "preparation": preparation}


def _by_instance(mine: dict, at_national: dict, attempts: list[dict], start: float, until: float) -> dict:
    """Per instance: what it released, its lag (ms) and its pushes, to see which province fell behind and why."""
    out: dict[str, dict] = {}
    lags: dict[str, list[float]] = defaultdict(list)
    for key, value in mine.items():
        if key in at_national:
            lags[value["instance"]].append(at_national[key][0][0] - value["released"])
    for code in sorted({value["instance"] for value in mine.values()}):
        pushes = [a for a in attempts if a["instance"] == code and a["started"] and start <= a["started"] < until]
        delivered = [a for a in pushes if a["outcome"] == "delivered"]
        ordered = sorted(lags[code])
        out[code] = {
            "released": sum(1 for value in mine.values() if value["instance"] == code),
            "lag_p50_ms": round((percentile(ordered, 0.5) or 0) * 1000),
            "lag_p99_ms": round((percentile(ordered, 0.99) or 0) * 1000),
            "lag_max_ms": round((ordered[-1] if ordered else 0) * 1000),
            "pushes": len(pushes),
            "changes_per_push": round(sum(a["records"] for a in delivered) / len(delivered), 1) if delivered else None,
            "round_trip_p50_ms": percentile(sorted(a["ms"] for a in delivered), 0.5),
        }
    return out


def _cpu(cpu: list[dict], start: float, until: float, *, busy_until: float, changes: int) -> dict:
    """Cores in use on average while the phase's changes were flowing (from its start until the last was in), and
    CPU ms per change over the phase and its quiet time (everything its changes cost)."""
    groups = ("national", "instances", "postgresql", "other")
    busy = [s for s in cpu if start <= s["at"] < busy_until + 1]
    whole = [s for s in cpu if start <= s["at"] < until]
    if not busy or not whole:
        return {}
    out = {k: round(sum(s[k] for s in busy) / len(busy), 2) for k in groups}
    machine = [s["system_busy"] for s in busy if s["system_busy"] is not None]
    out["system_busy_mean"] = round(sum(machine) / len(machine), 3) if machine else None
    out["seconds_averaged"] = len(busy)
    out["ms_per_change"] = {
        k: round(sum(s[k] for s in whole) * 1000 / changes, 2) if changes else None
        for k in ("national", "instances", "postgresql")
    }
    out["note"] = "cores in use on average (of os.cpu_count()) from the phase's start until its last change was in"
    return out


def _kill(phases, events, released, at_national, attempts) -> dict | None:
    phase = next((p for p in phases if p["name"] == "kill"), None)
    killed = next((e["at"] for e in events if e["what"].startswith("national killed")), None)
    if phase is None or killed is None:
        return None
    restarting = next(e["at"] for e in events if e["what"] == "national restarting")
    up = max(e["at"] for e in events if e["what"] == "national up")
    before_up = [key for key, value in released.items() if value["phase"] == "kill" and value["released"] < up]
    received_after = sorted(at_national[key][0][0] for key in before_up if key in at_national)
    first_after = min((t for key in at_national for t, _b in at_national[key] if t >= up), default=None)
    failed = [a for a in attempts if a["outcome"] != "delivered" and a["started"] and killed - 1 <= a["started"]]
    errors = Counter(re.sub(r"https?://\S+: ", "", a["error"] or "")[:80] for a in failed)
    return {
        "killed_at_second": round(killed - phase["start"], 2),
        "restart_began_after_seconds": round(restarting - killed, 2),
        "answering_again_after_seconds": round(up - killed, 2),
        "first_change_accepted_after_restart_seconds": round(first_after - up, 2) if first_after else None,
        "backlog_at_restart_all_at_national_after_seconds": (
            round(received_after[-1] - up, 2) if received_after else None
        ),
        "changes_released_before_national_was_back": len(before_up),
        "failed_attempts": len(failed),
        "failed_attempt_errors": dict(errors.most_common(6)),
    }
