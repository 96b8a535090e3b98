"""Pure arithmetic of the load benchmark: percentiles, per-second series, targets, ratios, spike recovery.

No Django, no locust: the locustfile records samples, run.py calls these, and the tests check them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (as locust and most load tools report it) of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


def summarise(samples: Iterable[tuple[float, float, bool]], *, start: float, end: float) -> dict:
    """Requests per second, latency percentiles (ms) and errors of (finished_at, response_ms, ok) samples in
    the measured window [start, end): the warm-up before `start` is left out."""
    window = [(ms, ok) for at, ms, ok in samples if start <= at < end]
    times = sorted(ms for ms, _ok in window)
    errors = sum(1 for _ms, ok in window if not ok)
    seconds = max(end - start, 1e-9)
    return {
        "requests": len(window),
        "errors": errors,
        "error_rate": round(errors / len(window), 6) if window else 0.0,
        "seconds": round(seconds, 2),
        "rps": round(len(window) / seconds, 2),
        "p50_ms": _round(percentile(times, 0.50)),
        "p95_ms": _round(percentile(times, 0.95)),
        "p99_ms": _round(percentile(times, 0.99)),
        "max_ms": _round(times[-1] if times else None),
        "mean_ms": _round(sum(times) / len(times) if times else None),
    }


def per_second(samples: Iterable[tuple[float, float, bool]], *, start: float) -> list[dict]:
    """One row per whole second since `start`: requests, errors and p95 (ms) of the requests that ended in it."""
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for at, ms, ok in samples:
        if at >= start:
            buckets.setdefault(int(at - start), []).append((ms, ok))
    rows = []
    for second in range(max(buckets) + 1 if buckets else 0):
        bucket = buckets.get(second, [])
        times = sorted(ms for ms, _ok in bucket)
        rows.append(
            {
                "second": second,
                "requests": len(bucket),
                "errors": sum(1 for _ms, ok in bucket if not ok),
                "p95_ms": _round(percentile(times, 0.95)),
            }
        )
    return rows


def recovery_seconds(series: Sequence[dict], *, drop_at: int, target_ms: float, hold: int = 5) -> int | None:
    """Seconds after the drop back to the base load until p95 is under target and stays there for `hold`
    consecutive seconds (a lone good second in a bad stretch is not a recovery); None if it never is."""
    rows = [row for row in series if row["second"] >= drop_at]
    for index, row in enumerate(rows):
        stretch = rows[index : index + hold]
        if len(stretch) == hold and all(r["p95_ms"] is not None and r["p95_ms"] < target_ms for r in stretch):
            return row["second"] - drop_at
    return None


def check_target(result: dict, target: dict, baselines: dict[str, dict]) -> dict:
    """Compare one scenario's figures with its target: p95 below a bound, a ratio to a bare baseline's rps,
    a throughput floor. Returns the ratio, each check and whether all pass."""
    checks = []
    ratio = None
    baseline = target.get("baseline")
    if baseline and baselines.get(baseline, {}).get("rps"):
        ratio = round(result["rps"] / baselines[baseline]["rps"], 3)
    if "ratio_min" in target:
        checks.append(
            {
                "what": f"rps ≥ {target['ratio_min']} × {baseline}",
                "value": ratio,
                "ok": ratio is not None and ratio >= target["ratio_min"],
            }
        )
    if "p95_max_ms" in target:
        p95 = result.get("p95_ms")
        checks.append(
            {
                "what": f"p95 < {target['p95_max_ms']} ms",
                "value": p95,
                "ok": p95 is not None and p95 < target["p95_max_ms"],
            }
        )
    if "rps_min" in target:
        checks.append(
            {"what": f"≥ {target['rps_min']}/s", "value": result["rps"], "ok": result["rps"] >= target["rps_min"]}
        )
    if "signed_per_second_min" in target:
        signed = result.get("signed_results_per_second")
        checks.append(
            {
                "what": f"≥ {target['signed_per_second_min']} signed results/s",
                "value": signed,
                "ok": signed is not None and signed >= target["signed_per_second_min"],
            }
        )
    if "error_rate_max" in target:
        checks.append(
            {
                "what": f"errors < {target['error_rate_max']:.1%}",
                "value": result["error_rate"],
                "ok": result["error_rate"] < target["error_rate_max"],
            }
        )
    return {"ratio": ratio, "checks": checks, "met": all(check["ok"] for check in checks)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
