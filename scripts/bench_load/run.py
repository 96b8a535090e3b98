"""`make bench-load`: load benchmarks of the production server on PostgreSQL, against a bare Django baseline.

Steps: recreate the bench databases; migrate and fill (manage.py bench_fill, BENCH_LOAD_DOSSIERS dossiers);
make a throw-away CA and signing key; start the bare project and motcua (gunicorn, the same workers and
threads) and motcua's worker (huey on Redis); run every scenario with locust, each with the same users and
duration as its bare baseline, warm-up cut; the spike (50 → 250 → 50 users); the kill -9 run; check targets,
capture the plans of missed reads; write bench-results/load-postgresql.json and the README section.

Environment: BENCH_LOAD_DOSSIERS (1000000), BENCH_LOAD_USERS (8), BENCH_LOAD_SECONDS (30 measured),
BENCH_LOAD_WARMUP (10), BENCH_LOAD_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_LOAD_REDIS_URL
(redis://127.0.0.1:6379/5), WEB_CONCURRENCY and MOTCUA_WEB_THREADS (gunicorn.conf.py's defaults),
BENCH_LOAD_REUSE=1 (keep the filled database and manifest of the previous run: for working on the harness),
BENCH_LOAD_ONLY (comma-separated parts to run: scenarios,spike,kill).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import stats  # noqa: E402

VAR = ROOT / "var" / "bench"
OUT = Path(os.environ.get("BENCH_LOAD_OUTPUT", ROOT / "bench-results" / "load-postgresql.json"))
PYTHON = sys.executable
BIN = Path(PYTHON).parent

DOSSIERS = int(os.environ.get("BENCH_LOAD_DOSSIERS", "1000000"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "8"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
WARMUP = int(os.environ.get("BENCH_LOAD_WARMUP", "10"))
PG_URL = os.environ.get("BENCH_LOAD_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB, BARE_DB = "motcua_bench", "motcua_bench_bare"
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
WORKERS = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)  # gunicorn.conf.py's default
THREADS = int(os.environ.get("MOTCUA_WEB_THREADS") or 4)
PRODUCT_PORT, BARE_PORT = 8101, 8102
BARE_ROWS = int(os.environ.get("BENCH_LOAD_BARE_ROWS", "1000000"))
REUSE = os.environ.get("BENCH_LOAD_REUSE") == "1"
ONLY = set(filter(None, os.environ.get("BENCH_LOAD_ONLY", "scenarios,spike,kill").split(",")))
KILL_SECONDS = int(os.environ.get("BENCH_LOAD_KILL_SECONDS", "80"))
KILL_USERS = int(os.environ.get("BENCH_LOAD_KILL_USERS", "8"))

# The targets. `baseline` names the bare run a ratio is taken to (shown for every scenario).
TARGETS = {
    "status lookup": {"baseline": "bare read", "ratio_min": 0.5, "p95_max_ms": 20},
    "my dossier read": {"baseline": "bare read", "ratio_min": 0.3, "p95_max_ms": 30},
    "worklist first page": {"baseline": "bare read", "p95_max_ms": 50},
    "worklist counts": {"baseline": "bare read", "p95_max_ms": 50},
    "catalogue search": {"baseline": "bare read", "p95_max_ms": 20},
    "submission (2 uploads + submit)": {"baseline": "bare write", "ratio_min": 0.15, "p95_max_ms": 150},
    "approval with signing": {"baseline": "bare write", "signed_per_second_min": 40},
}
READS = {"status lookup", "my dossier read", "worklist first page", "worklist counts", "catalogue search"}
# (name as recorded, locust user class, server, endpoint for the table)
SCENARIOS = [
    ("bare read", "BareReadUser", "bare", "GET /read/<pk>"),
    ("status lookup", "LookupUser", "product", "GET /api/v1/lookup"),
    ("my dossier read", "MyDossierUser", "product", "GET /api/v1/dossiers/{code}"),
    ("worklist first page", "WorklistPageUser", "product", "GET /api/v1/worklists/all"),
    ("worklist counts", "WorklistCountsUser", "product", "GET /api/v1/worklists"),
    ("catalogue search", "SearchUser", "product", "GET /api/v1/procedures?q="),
    ("bare write", "BareWriteUser", "bare", "POST /write"),
    (
        "submission (2 uploads + submit)",
        "SubmissionUser",
        "product",
        "POST /api/v1/documents ×2 + POST /api/v1/dossiers",
    ),
    ("approval with signing", "ApprovalUser", "product", "POST /api/v1/dossiers/{code}/actions"),
]
PRODUCT_ENV: dict[str, str] = {}  # the servers' environment, for in-process looks at the database
SPIKE = {"base_users": 50, "peak_users": 250, "up_at": 30, "down_at": 60, "end_at": 150, "pacing_seconds": 1.0,
         "p95_target_ms": 20, "recover_within_seconds": 60, "error_rate_max": 0.001}  # fmt: skip
# BENCH_LOAD_SPIKE="up,down,end" (seconds) shortens the spike while working on the harness.
if os.environ.get("BENCH_LOAD_SPIKE"):
    SPIKE["up_at"], SPIKE["down_at"], SPIKE["end_at"] = (int(x) for x in os.environ["BENCH_LOAD_SPIKE"].split(","))


def log(message: str) -> None:
    print(f"[bench-load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ----- databases, keys, environment --------------------------------------------------------------------------------


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def recreate(database: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{database}"')


def pg_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def make_signing_key(directory: Path, password: bytes) -> tuple[Path, Path]:
    """A throw-away root CA and one PKCS#12 signing key for every agency (production refuses the demo CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "motcua load benchmark root (throw-away)")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark agency")]
    )
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(root_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=29))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    p12, pem = directory / "signer.p12", directory / "root.pem"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"bench", key, cert, [root], serialization.BestAvailableEncryption(password)
        )
    )
    pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return p12, pem


def secrets_file() -> dict:
    """The run's secrets, kept beside the filled database so a reused fill is served with the same keys."""
    from cryptography.fernet import Fernet

    path = VAR / "secrets.json"
    if REUSE and path.exists():
        return json.loads(path.read_text())
    values = {
        "secret_key": secrets.token_urlsafe(50), "otp_key": Fernet.generate_key().decode(),
        "pkcs12_password": secrets.token_urlsafe(16),
    }  # fmt: skip
    path.write_text(json.dumps(values))
    return values


def product_env(values: dict, manifest: dict, p12: Path, root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "VNPAY_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        MOTCUA_ENV="production",
        MOTCUA_SECRET_KEY=values["secret_key"],
        MOTCUA_OTP_KEY=values["otp_key"],
        MOTCUA_ALLOWED_HOSTS="127.0.0.1,localhost",
        MOTCUA_SSL_REDIRECT="0",
        DATABASE_URL=f"{PG_URL}/{DB}",
        REDIS_URL=REDIS_URL,
        MOTCUA_TASK_BACKEND="redis",
        VNPAY_TMN_CODE=manifest["gateway"]["vnpay_tmn_code"],
        VNPAY_HASH_SECRET=manifest["gateway"]["vnpay_hash_secret"],
        MOTCUA_SIGNING_PKCS12=str(p12),
        MOTCUA_SIGNING_PKCS12_PASSWORD=values["pkcs12_password"],
        MOTCUA_SIGNING_TRUST_ROOTS=str(root),
        MOTCUA_VAR_DIR=str(VAR),
        MOTCUA_MEDIA_ROOT=str(VAR / "media"),
        MOTCUA_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        MOTCUA_EMAIL_FILE_PATH=str(VAR / "mail"),
        MOTCUA_BIND=f"127.0.0.1:{PRODUCT_PORT}",
        WEB_CONCURRENCY=str(WORKERS),
        MOTCUA_WEB_THREADS=str(THREADS),
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    return env


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def fill(values: dict) -> dict:
    manifest_path = VAR / "manifest.json"
    if REUSE and manifest_path.exists():
        log("reusing the filled database and its manifest (BENCH_LOAD_REUSE=1)")
        return json.loads(manifest_path.read_text())
    recreate(DB)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        MOTCUA_ENV="development", DATABASE_URL=f"{PG_URL}/{DB}", MOTCUA_VAR_DIR=str(VAR),
        MOTCUA_SECRET_KEY=values["secret_key"], MOTCUA_OTP_KEY=values["otp_key"], MOTCUA_TASK_BACKEND="immediate",
    )  # fmt: skip
    log(f"migrating {DB}")
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    log(f"filling {DB} with {DOSSIERS:,} dossiers (manage.py bench_fill)")
    started = time.monotonic()
    run([PYTHON, "manage.py", "bench_fill", "--dossiers", str(DOSSIERS), "--manifest", str(manifest_path)], env)
    log(f"filled in {time.monotonic() - started:.0f} s")
    # What autovacuum would have done on a database that grew to this size over years.
    admin_sql_db(DB, "VACUUM (ANALYZE)")
    return json.loads(manifest_path.read_text())


def admin_sql_db(database: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/{database}", autocommit=True) as conn:
        conn.execute(statement)


def prepare_bare() -> dict:
    env = dict(os.environ, BARE_DATABASE_URL=f"{PG_URL}/{BARE_DB}")
    if not REUSE:
        recreate(BARE_DB)
        manage = [PYTHON, str(HERE / "bare" / "manage.py")]
        run([*manage, "migrate", "--no-input", "-v", "0"], env)
        run([*manage, "seed_records", "--rows", str(BARE_ROWS)], env, stdout=subprocess.DEVNULL)
    return env


# ----- processes ------------------------------------------------------------------------------------------------


class Processes:
    """The servers this run started, each in its own session; only these are ever signalled."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str], env: dict, cwd: Path = ROOT) -> subprocess.Popen:
        handle = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def children(self, name: str) -> list[int]:
        """The worker processes of a gunicorn master (by parent pid, from /proc)."""
        parent = self.procs[name].pid
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == parent:
                    found.append(int(entry.name))
        return found

    def kill9(self, name: str) -> int:
        proc = self.procs[name]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.pid

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.5)


def start_product(procs: Processes, env: dict) -> None:
    procs.start("web", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "motcua.wsgi"], env)
    wait_http(f"http://127.0.0.1:{PRODUCT_PORT}/healthz")


def start_worker(procs: Processes, env: dict) -> None:
    procs.start("worker", [PYTHON, "manage.py", "run_huey"], env)


def start_bare(procs: Processes, env: dict) -> None:
    procs.start(
        "bare",
        [str(BIN / "gunicorn"), "--chdir", str(HERE / "bare"), "-k", "gthread", "-w", str(WORKERS), "--threads",
         str(THREADS), "-b", f"127.0.0.1:{BARE_PORT}", "--keep-alive", "5", "bare.wsgi"],
        env,
    )  # fmt: skip
    wait_http(f"http://127.0.0.1:{BARE_PORT}/read/1")


# ----- locust ------------------------------------------------------------------------------------------------------


def locust(user_class: str, host: str, *, name: str, users: int, seconds: int, warmup: int, extra_env=None) -> dict:
    out = VAR / "out" / f"{name.split(' (')[0].replace(' ', '-')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    env = dict(
        os.environ, BENCH_MANIFEST=str(VAR / "manifest.json"), BENCH_OUT=str(out), BENCH_WARMUP=str(warmup),
        BENCH_BARE_ROWS=str(BARE_ROWS), PYTHONPATH=str(ROOT), **(extra_env or {}),
    )  # fmt: skip
    cmd = [
        str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--host", host, "-u", str(users),
        "-r", str(users), "-t", f"{seconds + warmup}s", "--csv", str(out.with_suffix("")), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", str(extra_env.get("BENCH_STOP_TIMEOUT", 0) if extra_env else 0),
        *user_class.split(),
    ]  # fmt: skip
    with open(VAR / "logs" / "locust.log", "ab") as errors:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
    if not out.exists():
        raise RuntimeError(f"locust wrote no figures for {name}: see {VAR / 'logs' / 'locust.log'}")
    return json.loads(out.read_text())


def run_scenarios() -> tuple[dict, list[dict]]:
    baselines, scenarios = {}, []
    for name, user_class, server, endpoint in SCENARIOS:
        port = BARE_PORT if server == "bare" else PRODUCT_PORT
        log(f"{name}: {USERS} users, {WARMUP} s warm-up + {SECONDS} s")
        figures = locust(
            user_class, f"http://127.0.0.1:{port}", name=name, users=USERS, seconds=SECONDS, warmup=WARMUP,
            extra_env={"BENCH_CUT_WHEN_EXHAUSTED": "1"} if name == "approval with signing" else None,
        )  # fmt: skip
        if figures.get("ran_out_of_items"):
            log(f"  {name}: the manifest's items ran out before the end; figures stop there")
        result = figures["requests"].get(name) or stats.summarise([], start=0, end=1)
        parts = {key: value for key, value in figures["requests"].items() if key != name}
        log(f"  {result['rps']} req/s, p95 {result['p95_ms']} ms, {result['errors']} errors")
        row = {"name": name, "endpoint": endpoint, "server": server, "users": USERS, "result": result}
        if parts:
            row["requests_inside"] = parts
        if server == "bare":
            baselines[name] = result
        if name == "approval with signing":
            # Count what was signed, not what was answered: an approval that leaves no signed result is no result.
            window = (figures["started_at"] + figures["warmup_seconds"], figures["stopped_at"])
            row["signed"] = inspect(PRODUCT_ENV, "signed", "--since", str(window[0]), "--until", str(window[1]))
            result["signed_results_per_second"] = round(
                row["signed"]["signed_results"] / max(result["seconds"], 1e-9), 2
            )
            log(f"  {row['signed']['approvals']} approvals, {row['signed']['signed_results']} signed results")
        scenarios.append(row)
    for row in scenarios:
        if row["name"] in TARGETS:
            row["target"] = TARGETS[row["name"]]
            row["evaluation"] = stats.check_target(row["result"], TARGETS[row["name"]], baselines)
    return baselines, [row for row in scenarios if row["server"] != "bare"]


def run_spike() -> dict:
    log("spike: 50 → 250 → 50 users (lookups paced at 1/s per user)")
    extra = {
        "BENCH_SHAPE": "spike",
        "BENCH_SPIKE_BASE": str(SPIKE["base_users"]),
        "BENCH_SPIKE_PEAK": str(SPIKE["peak_users"]),
        "BENCH_SPIKE_UP_AT": str(SPIKE["up_at"]),
        "BENCH_SPIKE_DOWN_AT": str(SPIKE["down_at"]),
        "BENCH_SPIKE_END_AT": str(SPIKE["end_at"]),
        "BENCH_SPIKE_PACING": str(SPIKE["pacing_seconds"]),
    }
    figures = locust(
        "SpikeUser", f"http://127.0.0.1:{PRODUCT_PORT}", name="spike", users=SPIKE["base_users"],
        seconds=SPIKE["end_at"], warmup=0, extra_env=extra,
    )  # fmt: skip
    series = figures["per_second"].get("status lookup", [])
    whole = figures["requests"].get("status lookup") or stats.summarise([], start=0, end=1)
    recovery = stats.recovery_seconds(series, drop_at=SPIKE["down_at"], target_ms=SPIKE["p95_target_ms"])
    peak = [r["p95_ms"] for r in series if SPIKE["up_at"] <= r["second"] < SPIKE["down_at"] and r["p95_ms"]]
    result = {
        **SPIKE, "whole_run": whole, "peak_p95_ms": max(peak) if peak else None,
        "seconds_to_recover_after_drop": recovery,
        "recovered": recovery is not None and recovery <= SPIKE["recover_within_seconds"],
        "errors_ok": whole["error_rate"] < SPIKE["error_rate_max"],
        "p95_per_second": series, "users_per_second": figures["users_per_second"],
    }  # fmt: skip
    result["met"] = result["recovered"] and result["errors_ok"]
    log(f"  recovered after {recovery} s, errors {whole['error_rate']:.4%}")
    return result


def inspect(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, str(HERE / "inspect_db.py"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def diagnose(env: dict, *args: str) -> dict:
    try:
        return inspect(env, *args)
    except subprocess.CalledProcessError as exc:  # a failed look must not lose the figures of the run
        return {"error": (exc.stderr or "")[-3000:]}


def run_kill(procs: Processes, env: dict) -> dict:
    """Submissions and payment notifications while web workers, the web master and the worker are killed -9."""
    journal = VAR / "kill-journal.jsonl"
    journal.unlink(missing_ok=True)
    since = time.time()
    events: list[dict] = []

    def note(what: str, **data) -> None:
        events.append({"second": round(time.time() - since, 1), "what": what, **data})
        log(f"  kill run +{time.time() - since:.0f}s: {what} {data or ''}")

    def killer() -> None:
        rng = random.Random(9)
        schedule = [(8, "worker"), (16, "worker"), (22, "huey"), (26, "huey-restart"), (30, "worker"),
                    (40, "master"), (55, "worker"), (62, "huey"), (66, "huey-restart"), (70, "worker")]  # fmt: skip
        for at, what in schedule:
            time.sleep(max(0.0, since + at - time.time()))
            if what == "worker":
                pids = procs.children("web")
                if pids:
                    pid = rng.choice(pids)
                    os.kill(pid, signal.SIGKILL)
                    note("kill -9 gunicorn worker", pid=pid)
            elif what == "huey":
                note("kill -9 huey worker", pid=procs.kill9("worker"))
            elif what == "huey-restart":
                start_worker(procs, env)
                note("huey worker restarted", pid=procs.procs["worker"].pid)
            elif what == "master":
                orphans = procs.children("web")
                note("kill -9 gunicorn master", pid=procs.kill9("web"), workers_left=orphans)
                # Orphaned workers keep the port (and finish what they hold for up to graceful_timeout); a service
                # manager restarting the unit kills its whole process group, so do the same after a second.
                time.sleep(1)
                for pid in orphans:
                    if Path(f"/proc/{pid}").exists():
                        os.kill(pid, signal.SIGKILL)
                note("kill -9 the orphaned gunicorn workers", pids=orphans)
                start_product(procs, env)
                note("gunicorn restarted", pid=procs.procs["web"].pid)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    log(f"kill -9 run: {KILL_USERS} users (submissions + VNPay IPNs) for {KILL_SECONDS} s")
    figures = locust(
        "KillSubmissionUser KillPaymentUser", f"http://127.0.0.1:{PRODUCT_PORT}", name="kill", users=KILL_USERS,
        seconds=KILL_SECONDS, warmup=0,
        extra_env={"BENCH_KILL_LOG": str(journal), "BENCH_STOP_TIMEOUT": "200", "BENCH_RETRY_FOR": "120"},
    )  # fmt: skip
    thread.join()
    if procs.procs["worker"].poll() is not None:
        start_worker(procs, env)
    log("waiting for the outbox to drain")
    drain_started = time.monotonic()
    box = inspect(env, "outbox")
    while box["backlog"] and time.monotonic() - drain_started < 600:
        time.sleep(5)
        box = inspect(env, "outbox")
    drained_after = round(time.monotonic() - drain_started, 1)
    checked = inspect(env, "verify", "--journal", str(journal), "--since", str(since))
    sub, pay = checked["submissions"], checked["payments"]
    result = {
        "users": KILL_USERS,
        "seconds": KILL_SECONDS,
        "kills": events,
        "requests": figures["requests"],
        "submissions": sub,
        "payments": pay,
        "outbox": {
            **box,
            "drained": box["backlog"] == 0 and box["dead"] == 0,
            "seconds_to_drain_after_load": drained_after,
        },
    }
    result["met"] = (
        sub["lost"] == sub["duplicated"] == sub["extra_dossiers"] == sub["acknowledged_with_another_code"] == 0
        and pay["lost"] == pay["duplicated"] == 0
        and result["outbox"]["drained"]
        and sub["acknowledged"] > 0
        and pay["acknowledged"] > 0
    )
    log(f"  submissions {sub['acknowledged']} acknowledged, {sub['lost']} lost, {sub['duplicated']} duplicated; "
        f"payments {pay['acknowledged']} acknowledged, {pay['lost']} lost, {pay['duplicated']} duplicated; "
        f"outbox backlog {box['backlog']}, dead {box['dead']}")  # fmt: skip
    return result


# ----- the machine -------------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    from importlib.metadata import version  # importing locust here would monkey-patch this process (gevent)

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "postgresql": pg_version(),
        "python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "gunicorn_workers": WORKERS,
        "gunicorn_threads": THREADS,
        "gunicorn_worker_class": "gthread",
        "locust": version("locust"),
        "locust_processes": 1,
        "load_tool_on_same_machine": True,
    }


def main() -> None:
    started = time.time()
    load_before = [round(x, 2) for x in os.getloadavg()]
    (VAR / "logs").mkdir(parents=True, exist_ok=True)
    values = secrets_file()
    manifest = fill(values)
    p12, root = make_signing_key(VAR / "pki", values["pkcs12_password"].encode())
    env = product_env(values, manifest, p12, root)
    PRODUCT_ENV.update(env)
    log("collectstatic (production's manifest storage)")
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    bare_env = prepare_bare()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    procs = Processes(VAR / "logs")
    report: dict = {
        "benchmark": "load",
        "database": "postgresql",
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "machine": machine(),
        "fill": {k: manifest.get(k) for k in ("dossiers", "actions", "fill_seconds", "database")},
        "config": {
            "users": USERS,
            "measured_seconds": SECONDS,
            "warmup_seconds": WARMUP,
            "think_time_seconds": 0,
            "bare_rows": BARE_ROWS,
            "product": "gunicorn -c gunicorn.conf.py motcua.wsgi + manage.py run_huey (Redis)",
            "bare": "scripts/bench_load/bare (1 app, 1 model, no middleware), gunicorn gthread",
        },
    }
    try:
        start_bare(procs, bare_env)
        start_worker(procs, env)
        start_product(procs, env)
        if "scenarios" in ONLY:
            report["baselines"], report["scenarios"] = run_scenarios()
            for row in report["scenarios"]:
                diagnosable = row["name"] in READS or row["name"].startswith("submission")
                if diagnosable and not row.get("evaluation", {}).get("met", True):
                    log(f"capturing the plan behind {row['name']}")
                    row["diagnosis"] = diagnose(
                        env, "diagnose", "--manifest", str(VAR / "manifest.json"), "--scenario", row["name"]
                    )
        if "spike" in ONLY:
            report["spike"] = run_spike()
        if "kill" in ONLY:
            report["kill"] = run_kill(procs, env)
    finally:
        procs.stop_all()
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["duration_seconds"] = round(time.time() - started)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    log(f"wrote {OUT.relative_to(ROOT) if OUT.is_relative_to(ROOT) else OUT}")
    if OUT == ROOT / "bench-results" / "load-postgresql.json":
        subprocess.run([PYTHON, str(HERE / "report.py")], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
