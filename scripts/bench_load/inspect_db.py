"""The benchmark's look inside the product database, in-process with the product's own code and settings.

    python scripts/bench_load/inspect_db.py outbox
    python scripts/bench_load/inspect_db.py verify --journal var/bench/kill-journal.jsonl --since <unix time>
    python scripts/bench_load/inspect_db.py diagnose --manifest var/bench/manifest.json --scenario "status lookup"

Prints one JSON object. Run with the same environment as the server (run.py passes it).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def _setup() -> None:
    import django

    django.setup()


def outbox() -> dict:
    from motcua.events.queries import outbox_backlog, outbox_dead

    return {"backlog": outbox_backlog(), "dead": outbox_dead()}


def verify(journal: Path, since: float) -> dict:
    """Every acknowledged submission and payment exists exactly once; nothing is duplicated or extra."""
    from django.db.models import Count

    from motcua.dossiers.models import ActionKind, Dossier, DossierAction
    from motcua.payments.models import Bill, BillStatus, EventKind, Payment, PaymentEvent, PaymentStatus

    entries = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    sent_keys = {e["key"] for e in entries if e["kind"] == "submission" and e["event"] == "sent"}
    acked = {e["key"]: e["code"] for e in entries if e["kind"] == "submission" and e["event"] == "ack"}
    rejected = {e["key"] for e in entries if e["kind"] == "submission" and e["event"] == "rejected"}
    since_at = dt.datetime.fromtimestamp(since, tz=dt.UTC)
    run_dossiers = Dossier.objects.filter(submitted_at__gte=since_at)
    rows = list(run_dossiers.filter(submission_key__startswith="k9-").values_list("submission_key", "code"))
    per_key = Counter(key for key, _code in rows)
    codes = {key: code for key, code in rows}
    lost = sorted(key for key in acked if per_key[key] == 0)
    duplicated = sorted(key for key, n in per_key.items() if n > 1)
    wrong_code = sorted(key for key, code in acked.items() if per_key[key] == 1 and codes[key] != code)
    extra = sorted(key for key in per_key if key not in sent_keys)
    # Any other dossier submitted while the run went on would be one no client asked for (or one without its key).
    others = run_dossiers.exclude(submission_key__startswith="k9-").count()
    submissions = {
        "sent": len(sent_keys),
        "acknowledged": len(acked),
        "rejected": len(rejected),
        "found": sum(1 for key in acked if per_key[key] == 1),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "acknowledged_with_another_code": len(wrong_code),
        "extra_dossiers": len(extra) + others,
        "dossiers_submitted_during_run": len(rows) + others,
        "sent_unacknowledged_but_stored": sum(1 for key in sent_keys - set(acked) if per_key[key] >= 1),
        "examples": {"lost": lost[:5], "duplicated": duplicated[:5], "extra": extra[:5], "wrong_code": wrong_code[:5]},
    }

    paid_sent = {e["txn_ref"] for e in entries if e["kind"] == "payment" and e["event"] == "sent"}
    paid_acked = {e["txn_ref"]: e["rsp_code"] for e in entries if e["kind"] == "payment" and e["event"] == "ack"}
    payments = {p.txn_ref: p for p in Payment.objects.filter(txn_ref__in=paid_sent).select_related("bill")}
    applied = Counter(
        PaymentEvent.objects.filter(txn_ref__in=paid_sent, kind=EventKind.NOTIFICATION, outcome="00").values_list(
            "txn_ref", flat=True
        )
    )
    bills = [p.bill_id for p in payments.values()]
    paid_per_bill = dict(
        Payment.objects.filter(bill_id__in=bills, status=PaymentStatus.PAID)
        .values("bill_id")
        .annotate(n=Count("pk"))
        .values_list("bill_id", "n")
    )
    confirmations = Counter(
        DossierAction.objects.filter(
            kind=ActionKind.CONFIRM_PAYMENT, at__gte=since_at, idempotency_key__isnull=False,
            dossier_id__in=Bill.objects.filter(pk__in=bills).values("dossier_id"),
        ).values_list("dossier_id", flat=True)
    )  # fmt: skip
    p_lost, p_dup = [], []
    for ref in paid_acked:
        payment = payments.get(ref)
        if payment is None or payment.status != PaymentStatus.PAID or payment.bill.status != BillStatus.PAID:
            p_lost.append(ref)
        elif applied[ref] != 1 or paid_per_bill.get(payment.bill_id, 0) != 1:
            p_dup.append(ref)
        elif confirmations.get(payment.bill.dossier_id, 0) > 1:
            p_dup.append(ref)
    payments_out = {
        "sent": len(paid_sent),
        "acknowledged": len(paid_acked),
        "acknowledged_00": sum(1 for code in paid_acked.values() if code == "00"),
        "acknowledged_02": sum(1 for code in paid_acked.values() if code == "02"),
        "found": len(paid_acked) - len(p_lost),
        "lost": len(p_lost),
        "duplicated": len(p_dup),
        "paid_without_acknowledgement": sum(
            1 for ref in paid_sent - set(paid_acked) if ref in payments and payments[ref].status == PaymentStatus.PAID
        ),
        "dossiers_returned_to_processing": sum(1 for n in confirmations.values() if n >= 1),
        "examples": {"lost": p_lost[:5], "duplicated": p_dup[:5]},
    }
    return {"submissions": submissions, "payments": payments_out}


def signed(since: float, until: float) -> dict:
    """Approvals and signed results (kết quả điện tử đã ký) recorded in a time window."""
    from motcua.dossiers.models import ActionKind, DossierAction
    from motcua.signing.models import IssuedResult

    window = (dt.datetime.fromtimestamp(since, tz=dt.UTC), dt.datetime.fromtimestamp(until, tz=dt.UTC))
    approvals = DossierAction.objects.filter(kind=ActionKind.APPROVE, at__gte=window[0], at__lt=window[1])
    approved = set(approvals.values_list("dossier_id", flat=True))
    results = IssuedResult.objects.filter(issued_at__gte=window[0], issued_at__lt=window[1])
    return {
        "approvals": len(approved),
        "signed_results": results.count(),
        "approved_without_signed_result": len(approved - set(results.values_list("dossier_id", flat=True))),
    }


def diagnose(manifest: dict, scenario: str) -> dict:
    """The SQL behind a read, each SELECT with EXPLAIN (ANALYZE, BUFFERS), and a profile of the request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    officers = manifest["officers"]
    largest = max(officers, key=lambda o: o["agency_dossiers"])["agency"] if officers else None
    officer = next((o for o in officers if o["agency"] == largest), None)
    citizen = next((c for c in manifest["citizens"] if c["dossier_codes"]), None)
    lookup = manifest["lookup"][0]
    requests = {
        "status lookup": ("/api/v1/lookup", {"code": lookup["code"], "id_last4": lookup["id_last4"]}, None),
        "my dossier read": (f"/api/v1/dossiers/{citizen['dossier_codes'][0]}", {}, citizen["token"])
        if citizen
        else None,
        "worklist first page": ("/api/v1/worklists/all", {}, officer["token"]) if officer else None,
        "worklist counts": ("/api/v1/worklists", {}, officer["token"]) if officer else None,
        "catalogue search": ("/api/v1/procedures", {"q": manifest["search_terms"][0]}, None),
    }
    client = Client()
    if scenario.startswith("submission"):
        token = manifest["submission"]["applicants"][0]["token"]
        headers = {"HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Bearer {token}"}
        path, params = "/api/v1/dossiers", {}

        def call():
            return _submit_in_process(client, manifest, headers)

    elif requests.get(scenario):
        path, params, token = requests[scenario]
        headers = {"HTTP_HOST": "127.0.0.1"}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

        def call():
            return client.get(path, params, **headers)

    else:
        return {"error": f"no in-process request for {scenario!r}"}
    call()  # warm caches as the load did
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
    queries = []
    for query in captured.captured_queries:
        sql = query["sql"]
        entry = {"sql": sql, "ms": round(float(query["time"]) * 1000, 2)}
        if sql.lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in sql.upper():
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                entry["plan"] = "\n".join(row[0] for row in cursor.fetchall())
        queries.append(entry)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        call()
    profiler.disable()
    text, own = io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    pstats.Stats(profiler, stream=own).sort_stats("tottime").print_stats(15)
    return {
        "request": {"path": path, "params": params, "status": response.status_code, "in_process_ms": round(elapsed, 2)},
        "queries": queries,
        "profile_top_cumulative_20_requests": text.getvalue().split("\n", 6)[-1][:8000],
        "profile_top_own_time_20_requests": own.getvalue().split("\n", 6)[-1][:5000],
    }


def _submit_in_process(client, manifest: dict, headers: dict):
    """The submission flow of the load (two uploads, then the dossier), through the same API."""
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from payloads import PDF, fill_template

    documents = {}
    for index, spec in enumerate(manifest["submission"]["documents"], start=1):
        upload = SimpleUploadedFile(
            spec["filename"], PDF + uuid.uuid4().hex.encode() + b"\n%%EOF\n", spec["content_type"]
        )
        answer = client.post("/api/v1/documents", {"file": upload}, **headers)
        documents[f"{{document_{index}}}"] = answer.json()["id"]
    body = fill_template(manifest["submission"]["body_template"], documents)
    return client.post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"diag-{uuid.uuid4().hex}",
        **headers,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["outbox", "verify", "signed", "diagnose"])
    parser.add_argument("--journal", type=Path)
    parser.add_argument("--since", type=float, default=0.0)
    parser.add_argument("--until", type=float, default=0.0)
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--scenario")
    args = parser.parse_args()
    _setup()
    if args.command == "outbox":
        result = outbox()
    elif args.command == "signed":
        result = signed(args.since, args.until)
    elif args.command == "verify":
        result = verify(args.journal, args.since)
    else:
        result = diagnose(json.loads(args.manifest.read_text()), args.scenario)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
