"""Locust user classes of the load benchmark (run by scripts/bench_load/run.py, one scenario at a time).

    locust -f scripts/bench_load/locustfile.py --headless -u 8 -r 8 -t 40s --host http://127.0.0.1:8101 LookupUser

Environment: BENCH_MANIFEST (the fill's manifest), BENCH_OUT (where this process writes its figures as JSON),
BENCH_WARMUP (seconds left out of the figures), BENCH_BARE_ROWS (rows of the bare table), BENCH_KILL_LOG (the
kill -9 run's client journal), BENCH_SHAPE=spike (the 50 → 250 → 50 users shape).

Every scenario is a closed loop (no think time) except the spike, whose users pace themselves at one request
per BENCH_SPIKE_PACING seconds, as people do. Figures come from this file's own recorder (every request's end
time, duration and outcome), not from locust's rounded histograms, so the warm-up can be cut exactly.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, constant, constant_pacing, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stats  # noqa: E402  (the benchmark's own arithmetic, next to this file)
from payloads import PDF, fill_template, multipart  # noqa: E402

_MANIFEST_PATH = Path(os.environ.get("BENCH_MANIFEST", "/nonexistent"))
MANIFEST = json.loads(_MANIFEST_PATH.read_text()) if _MANIFEST_PATH.is_file() else {}
WARMUP = float(os.environ.get("BENCH_WARMUP", "10"))
BARE_ROWS = int(os.environ.get("BENCH_BARE_ROWS", "1000000"))
SPIKE_PACING = float(os.environ.get("BENCH_SPIKE_PACING", "1.0"))

# ----- the recorder ------------------------------------------------------------------------------------------------

SAMPLES: dict[str, list[tuple[float, float, bool]]] = {}
USERS: list[tuple[float, int]] = []
CLOCK: dict = {"start": None, "stop": None}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.setdefault(name, []).append((time.time(), float(response_time), exception is None))


@events.test_start.add_listener
def _started(environment, **kwargs):
    CLOCK["start"] = time.time()
    import gevent

    def sample_users():
        while True:
            USERS.append((time.time(), environment.runner.user_count if environment.runner else 0))
            gevent.sleep(1)

    gevent.spawn(sample_users)


@events.test_stop.add_listener
def _stopped(environment, **kwargs):
    CLOCK["stop"] = CLOCK["stop"] or time.time()


@events.quitting.add_listener
def _write(environment, **kwargs):
    out = os.environ.get("BENCH_OUT")
    if not out or CLOCK["start"] is None:
        return
    start, stop = CLOCK["start"], min(CLOCK["stop"] or time.time(), CLOCK.get("exhausted") or float("inf"))
    result = {
        "started_at": start,
        "stopped_at": stop,
        "warmup_seconds": WARMUP,
        "ran_out_of_items": bool(CLOCK.get("exhausted")),
        "requests": {
            name: stats.summarise(samples, start=start + WARMUP, end=stop) for name, samples in sorted(SAMPLES.items())
        },
        "per_second": {name: stats.per_second(samples, start=start) for name, samples in sorted(SAMPLES.items())},
        "users_per_second": [{"second": int(at - start), "users": users} for at, users in USERS],
    }
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def flow(name: str, started: float, ok: bool, exception: Exception | None = None) -> None:
    """Record a whole use case made of several requests (submission: two uploads and the dossier) as one."""
    events.request.fire(
        request_type="FLOW", name=name, response_time=(time.perf_counter() - started) * 1000, response_length=0,
        exception=None if ok else (exception or RuntimeError(f"{name} failed")), context={},
    )  # fmt: skip


# Each user takes the next identity, so the load spreads over every citizen, officer and dossier of the manifest.
_counters: dict[str, itertools.count] = {}


def next_of(items: list, key: str):
    if not items:
        raise StopUser()
    counter = _counters.setdefault(key, itertools.count())
    return items[next(counter) % len(items)]


def take(items: list, key: str):
    """Single-use items (approvals, payments): each is handed out once, then the user stops."""
    counter = _counters.setdefault(key, itertools.count())
    index = next(counter)
    if index >= len(items):
        # Figures stop here: the seconds after the last item would count as idle time.
        if os.environ.get("BENCH_CUT_WHEN_EXHAUSTED") == "1":
            CLOCK["exhausted"] = CLOCK.get("exhausted") or time.time()
        raise StopUser()
    return items[index]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


# ----- bare baselines --------------------------------------------------------------------------------------------


class BareReadUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def read(self):
        self.client.get(f"/read/{random.randint(1, BARE_ROWS)}", name="bare read")


class BareWriteUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def write(self):
        self.client.post("/write", json={"code": uuid.uuid4().hex[:20], "name": "Bản ghi mới"}, name="bare write")


# ----- motcua scenarios ----------------------------------------------------------------------------------------


class LookupUser(FastHttpUser):
    """Tra cứu tình trạng hồ sơ: the public status lookup, no account."""

    wait_time = constant(0)

    @task
    def lookup(self):
        item = random.choice(MANIFEST["lookup"])
        self.client.get(
            "/api/v1/lookup", params={"code": item["code"], "id_last4": item["id_last4"]}, name="status lookup"
        )


class MyDossierUser(FastHttpUser):
    """A citizen reads one of their own dossiers (authenticated)."""

    wait_time = constant(0)

    def on_start(self):
        self.citizen = next_of([c for c in MANIFEST["citizens"] if c["dossier_codes"]], "citizens")

    @task
    def read(self):
        code = random.choice(self.citizen["dossier_codes"])
        self.client.get(f"/api/v1/dossiers/{code}", headers=bearer(self.citizen["token"]), name="my dossier read")


def _largest_agency_officers() -> list[dict]:
    officers = MANIFEST.get("officers", [])
    if not officers:
        return []
    largest = max(officers, key=lambda o: o["agency_dossiers"])["agency"]
    return [o for o in officers if o["agency"] == largest]


class WorklistPageUser(FastHttpUser):
    """An officer of the largest agency opens the first page of "all" (tất cả hồ sơ)."""

    wait_time = constant(0)

    def on_start(self):
        self.officer = next_of(_largest_agency_officers(), "officers-page")

    @task
    def page(self):
        self.client.get("/api/v1/worklists/all", headers=bearer(self.officer["token"]), name="worklist first page")


class WorklistCountsUser(FastHttpUser):
    """The same officers' tab counts (mine, queue, due soon, overdue, all)."""

    wait_time = constant(0)

    def on_start(self):
        self.officer = next_of(_largest_agency_officers(), "officers-counts")

    @task
    def counts(self):
        self.client.get("/api/v1/worklists", headers=bearer(self.officer["token"]), name="worklist counts")


class SearchUser(FastHttpUser):
    """Catalogue search (tìm thủ tục), with and without diacritics."""

    wait_time = constant(0)

    @task
    def search(self):
        self.client.get(
            "/api/v1/procedures", params={"q": random.choice(MANIFEST["search_terms"])}, name="catalogue search"
        )


class Submitter:
    """Online submission (nộp hồ sơ trực tuyến): the e-form and two uploaded files, with an Idempotency-Key."""

    def upload(self, token: str, spec: dict, *, index: int):
        body, content_type = multipart(
            spec.get("filename", f"giay-to-{index}.pdf"),
            spec.get("content_type", "application/pdf"),
            PDF + uuid.uuid4().hex.encode() + b"\n%%EOF\n",
        )
        headers = {**bearer(token), "Content-Type": content_type}
        with self.client.post(
            "/api/v1/documents", data=body, headers=headers, name="upload document", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"upload answered {response.status_code}")
                return None
            return response.json()["id"]

    def submit(self, token: str, key: str, documents: dict[str, str]):
        body = fill_template(MANIFEST["submission"]["body_template"], documents)
        headers = {**bearer(token), "Idempotency-Key": key}
        with self.client.post(
            "/api/v1/dossiers", json=body, headers=headers, name="submit dossier", catch_response=True
        ) as response:
            if response.status_code not in (200, 201):
                response.failure(f"submit answered {response.status_code}")
                return None, response.status_code
            return response.json()["code"], response.status_code


class SubmissionUser(Submitter, FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.applicant = next_of(MANIFEST["submission"]["applicants"], "applicants")

    @task
    def submission(self):
        started = time.perf_counter()
        token = self.applicant["token"]
        documents = {}
        for index, spec in enumerate(MANIFEST["submission"]["documents"], start=1):
            document = self.upload(token, spec, index=index)
            if document is None:
                return flow("submission (2 uploads + submit)", started, False)
            documents[f"{{document_{index}}}"] = document
        code, _status = self.submit(token, f"bench-{uuid.uuid4().hex}", documents)
        flow("submission (2 uploads + submit)", started, code is not None)


class ApprovalUser(FastHttpUser):
    """A leader approves (phê duyệt) a dossier waiting for it: the result is rendered and signed in the request."""

    wait_time = constant(0)

    @task
    def approve(self):
        item = take(MANIFEST["approvals"], "approvals")
        self.client.post(
            f"/api/v1/dossiers/{item['dossier_code']}/actions", json=item["body"], headers=bearer(item["token"]),
            name="approval with signing",
        )  # fmt: skip


# ----- the spike: 50 → 250 → 50 users ------------------------------------------------------------------------------

SPIKE_BASE, SPIKE_PEAK = int(os.environ.get("BENCH_SPIKE_BASE", "50")), int(os.environ.get("BENCH_SPIKE_PEAK", "250"))
SPIKE_STAGES = [  # (until second, users, spawn rate)
    (int(os.environ.get("BENCH_SPIKE_UP_AT", "30")), SPIKE_BASE, SPIKE_BASE),
    (int(os.environ.get("BENCH_SPIKE_DOWN_AT", "60")), SPIKE_PEAK, 100),
    (int(os.environ.get("BENCH_SPIKE_END_AT", "150")), SPIKE_BASE, 250),
]


class SpikeUser(FastHttpUser):
    """People looking up their dossier's status, one lookup per BENCH_SPIKE_PACING seconds each."""

    wait_time = constant_pacing(SPIKE_PACING)

    @task
    def lookup(self):
        item = random.choice(MANIFEST["lookup"])
        self.client.get(
            "/api/v1/lookup", params={"code": item["code"], "id_last4": item["id_last4"]}, name="status lookup"
        )


if os.environ.get("BENCH_SHAPE") == "spike":

    class SpikeShape(LoadTestShape):
        def tick(self):
            run_time = self.get_run_time()
            for until, users, rate in SPIKE_STAGES:
                if run_time < until:
                    return users, rate
            return None


# ----- the kill -9 run: clients that retry until acknowledged, and say what was acknowledged ----------------------

_journal = None


def journal(**entry) -> None:
    """Append one line to the client journal at once (a line is written before the next request leaves)."""
    global _journal
    if _journal is None:
        _journal = open(os.environ["BENCH_KILL_LOG"], "a", buffering=1)  # noqa: SIM115 (kept open for the run)
    _journal.write(json.dumps({"at": time.time(), **entry}) + "\n")


RETRY_FOR = float(os.environ.get("BENCH_RETRY_FOR", "180"))


def retrying(call):
    """Call until it gives an answer (not None) or RETRY_FOR seconds pass, as a client behind a flaky network."""
    deadline = time.time() + RETRY_FOR
    pause = 0.2
    while True:
        answer = call()
        if answer is not None or time.time() > deadline:
            return answer
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


class KillSubmissionUser(Submitter, FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.applicant = next_of(MANIFEST["submission"]["applicants"], "applicants")

    @task
    def submission(self):
        token = self.applicant["token"]
        key = f"k9-{uuid.uuid4().hex}"
        documents = {}
        for index, spec in enumerate(MANIFEST["submission"]["documents"], start=1):
            document = retrying(lambda spec=spec, index=index: self.upload(token, spec, index=index))
            if document is None:
                return
            documents[f"{{document_{index}}}"] = document
        journal(kind="submission", event="sent", key=key)

        def attempt():
            code, status = self.submit(token, key, documents)
            if code is None and status not in (0, 408, 409, 429) and status < 500:
                journal(kind="submission", event="rejected", key=key, status=status)
                return False
            return code

        code = retrying(attempt)
        if code:
            journal(kind="submission", event="ack", key=key, code=code)


def _vnpay_gateway():
    from django.conf import settings

    if not settings.configured:
        gateway = MANIFEST["gateway"]
        settings.configure(
            VNPAY_TMN_CODE=gateway["vnpay_tmn_code"], VNPAY_HASH_SECRET=gateway["vnpay_hash_secret"],
            VNPAY_PAY_URL="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", USE_TZ=True,
        )  # fmt: skip
    from motcua.payments.gateways.vnpay import VNPayGateway

    return VNPayGateway()


def ipn_params(payment: dict, gateway, *, transaction_no: str, pay_date: str) -> dict[str, str]:
    """A successful payment's IPN, signed the way VNPay signs it (reusing motcua's VNPay gateway)."""
    params = {
        "vnp_Amount": str(payment["amount"] * 100), "vnp_BankCode": "NCB", "vnp_BankTranNo": f"VNP{transaction_no}",
        "vnp_CardType": "ATM", "vnp_OrderInfo": f"Nop phi ma GD {payment['txn_ref']}", "vnp_PayDate": pay_date,
        "vnp_ResponseCode": "00", "vnp_TmnCode": gateway.tmn_code, "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": "00", "vnp_TxnRef": payment["txn_ref"],
    }  # fmt: skip
    params["vnp_SecureHash"] = gateway.secure_hash(params)
    return params


class KillPaymentUser(FastHttpUser):
    """VNPay's server: notifies each payment once and again until it is answered 00 or 02."""

    wait_time = constant(0)

    def on_start(self):
        self.gateway = _vnpay_gateway()

    @task
    def notify(self):
        payment = take(MANIFEST["payments"], "payments")
        params = ipn_params(
            payment, self.gateway, transaction_no=str(random.randint(10**7, 10**8 - 1)),
            pay_date=time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 7 * 3600)),
        )  # fmt: skip
        journal(kind="payment", event="sent", txn_ref=payment["txn_ref"])

        def attempt():
            with self.client.get(
                "/payments/vnpay/ipn/", params=params, name="payment IPN", catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"IPN answered {response.status_code}")
                    return None
                code = response.json().get("RspCode")
                if code not in ("00", "02"):
                    response.failure(f"IPN RspCode {code}")
                    return None
                return code

        code = retrying(attempt)
        if code:
            journal(kind="payment", event="ack", txn_ref=payment["txn_ref"], rsp_code=code)
