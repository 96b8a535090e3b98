"""`make bench-sync`: the national status-sync scale benchmark (issue 12).

BENCH_SYNC_INSTANCES simulated provincial instances (processes on this machine, each its own SQLite database, code
and key) push their dossier changes, with the real sender, to one national instance (gunicorn, MOTCUA_ROLE=national,
PostgreSQL). Three phases: steady at BENCH_SYNC_RATE changes/s, a burst at BENCH_SYNC_BURST changes/s, and a kill
run at the steady rate during which the national gunicorn (master and workers) is killed with SIGKILL and started
again BENCH_SYNC_DOWN_SECONDS later. Then every released change is looked for at the national instance.

Steps: recreate and migrate the national database (motcua_bench_sync), register the instances as peers with their
public keys; build the instances' template database once (scripts/bench_sync/template.py: real dossier services)
and copy it per instance; start the national gunicorn and the instances (scripts/bench_sync/instance.py), which
prepare their records with the real record_changes; run the phases; wait for the senders to drain; stop the
instances; measure from the databases (scripts/bench_sync/measure.py); write bench-results/sync-postgresql.json
and the README section (scripts/bench_sync/report.py).

Environment: BENCH_SYNC_INSTANCES (34), BENCH_SYNC_RATE (70), BENCH_SYNC_BURST (700), BENCH_SYNC_WARMUP_SECONDS
(10: the steady rate, first, reported apart: new gunicorn workers' first requests), BENCH_SYNC_STEADY_SECONDS (60),
BENCH_SYNC_BURST_SECONDS (20), BENCH_SYNC_KILL_SECONDS (60), BENCH_SYNC_KILL_AT (20: seconds into the kill phase),
BENCH_SYNC_DOWN_SECONDS (10), BENCH_SYNC_GAP_SECONDS (20: quiet time after each phase), BENCH_SYNC_BURST_GAP_SECONDS
(60: after the burst), BENCH_SYNC_DRAIN (240: the longest wait for the senders at the end), BENCH_SYNC_PG_URL
(postgres://postgres@127.0.0.1:5432), BENCH_SYNC_PORT (8111), BENCH_SYNC_OUTPUT (bench-results/sync-postgresql.json;
the README is rewritten only for that path), BENCH_SYNC_INSTANCE_NICE (10: the instances yield the CPU to the
national instance, as on servers of their own), BENCH_SYNC_COMMIT (the commit measured, for a run from an exported
tree), WEB_CONCURRENCY and MOTCUA_WEB_THREADS (the national gunicorn; gunicorn.conf.py's defaults), and
MOTCUA_SYNC_* (the senders' settings: batch size, timeout, backoff; the product's defaults).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
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
import measure  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
VAR = ROOT / "var" / "bench-sync"
OUT = Path(os.environ.get("BENCH_SYNC_OUTPUT", ROOT / "bench-results" / "sync-postgresql.json"))

INSTANCES = int(os.environ.get("BENCH_SYNC_INSTANCES", "34"))
RATE = float(os.environ.get("BENCH_SYNC_RATE", "70"))
BURST = float(os.environ.get("BENCH_SYNC_BURST", "700"))
WARMUP_SECONDS = float(os.environ.get("BENCH_SYNC_WARMUP_SECONDS", "10"))
STEADY_SECONDS = float(os.environ.get("BENCH_SYNC_STEADY_SECONDS", "60"))
BURST_SECONDS = float(os.environ.get("BENCH_SYNC_BURST_SECONDS", "20"))
KILL_SECONDS = float(os.environ.get("BENCH_SYNC_KILL_SECONDS", "60"))
KILL_AT = float(os.environ.get("BENCH_SYNC_KILL_AT", "20"))
DOWN_SECONDS = float(os.environ.get("BENCH_SYNC_DOWN_SECONDS", "10"))
GAP_SECONDS = float(os.environ.get("BENCH_SYNC_GAP_SECONDS", "20"))
BURST_GAP_SECONDS = float(os.environ.get("BENCH_SYNC_BURST_GAP_SECONDS", "60"))
DRAIN_SECONDS = float(os.environ.get("BENCH_SYNC_DRAIN", "240"))
PG_URL = os.environ.get("BENCH_SYNC_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = "motcua_bench_sync"
PORT = int(os.environ.get("BENCH_SYNC_PORT", "8111"))
NATIONAL_URL = f"http://127.0.0.1:{PORT}"
WORKERS = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)  # gunicorn.conf.py's default
THREADS = int(os.environ.get("MOTCUA_WEB_THREADS") or 4)
ACTIONS_PER_DOSSIER = 8  # template.py's lifecycle
# The instances would each have their own server: on this one they yield the CPU to the national instance.
INSTANCE_NICE = int(os.environ.get("BENCH_SYNC_INSTANCE_NICE", "10"))

# Bigger provinces make more changes: the five centrally-run cities weigh more (an assumption, not statistics).
WEIGHTS = {"01": 4, "79": 4, "31": 2, "48": 2, "92": 2, "46": 1.5}


def log(message: str) -> None:
    print(f"[bench-sync {time.strftime('%H:%M:%S')}] {message}", flush=True)


def provinces() -> list[tuple[str, str]]:
    from vietnam_provinces import Province

    return [(f"{int(p.code):02d}", p.name) for p in Province.iter_all()]


# ----- databases, keys, environment --------------------------------------------------------------------------------


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def pg_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_URL", "REDIS_URL"))}
    # Development settings with DEBUG off (DEBUG keeps every query in memory); no Redis; the task queue is a
    # file nobody works: neither side's path under test enqueues tasks.
    env.update(
        MOTCUA_ENV="development", MOTCUA_DEBUG="0", MOTCUA_VAR_DIR=str(VAR), MOTCUA_MEDIA_ROOT=str(VAR / "media"),
        MOTCUA_TASK_BACKEND="sqlite", MOTCUA_LOG_LEVEL="WARNING", PATH=f"{BIN}:{env.get('PATH', '')}",
    )  # fmt: skip
    for key, value in os.environ.items():
        if key.startswith("MOTCUA_SYNC_"):
            env[key] = value
    return env


def national_env() -> dict:
    env = base_env()
    env.update(
        MOTCUA_ROLE="national", MOTCUA_INSTANCE_CODE="national", MOTCUA_SYNC_CONNECTOR="off",
        MOTCUA_INSTANCE_KEY_FILE=str(VAR / "keys" / "national.pem"), DATABASE_URL=f"{PG_URL}/{DB}",
        MOTCUA_BIND=f"127.0.0.1:{PORT}", WEB_CONCURRENCY=str(WORKERS), MOTCUA_WEB_THREADS=str(THREADS),
        MOTCUA_TASK_SQLITE=str(VAR / "national-tasks.sqlite3"),
    )  # fmt: skip
    return env


def instance_env(code: str) -> dict:
    env = base_env()
    env.update(
        MOTCUA_ROLE="provincial", MOTCUA_INSTANCE_CODE=code, MOTCUA_INSTANCE_KEY_FILE=str(VAR / "keys" / f"{code}.pem"),
        MOTCUA_SYNC_CONNECTOR="motcua", MOTCUA_NATIONAL_URL=NATIONAL_URL,
        DATABASE_URL=f"sqlite:///{VAR / 'instances' / f'{code}.sqlite3'}",
        MOTCUA_TASK_SQLITE=str(VAR / "instances" / f"{code}-tasks.sqlite3"),
    )  # fmt: skip
    return env


def make_key(path: Path) -> str:
    """An EC P-256 signing key for one instance (PEM, owner-only); returns its public key in PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def prepare_national(peers: list[dict]) -> dict:
    admin_sql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{DB}"')
    env = national_env()
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    migrated = time.monotonic() - started
    peers_file = VAR / "peers.json"
    peers_file.write_text(json.dumps(peers))
    run([PYTHON, str(HERE / "national.py"), str(peers_file)], env, stdout=subprocess.DEVNULL)
    return {"database": DB, "migrate_seconds": round(migrated, 1), "peers": len(peers)}


def build_template(dossiers: int) -> dict:
    path = VAR / "template.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = base_env()
    env.update(DATABASE_URL=f"sqlite:///{path}", MOTCUA_SYNC_CONNECTOR="off",
               MOTCUA_TASK_SQLITE=str(VAR / "template-tasks.sqlite3"))  # fmt: skip
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    migrated = time.monotonic() - started
    summary_path = VAR / "template.json"
    run([PYTHON, str(HERE / "template.py"), "--dossiers", str(dossiers), "--output", str(summary_path)], env,
        stdout=subprocess.DEVNULL)  # fmt: skip
    # One file, no WAL beside it, so a plain copy is a whole database.
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {**json.loads(summary_path.read_text()), "migrate_seconds": round(migrated, 1)}


# ----- processes ---------------------------------------------------------------------------------------------------


class Processes:
    """The processes this run started, each in its own session; only these are ever signalled."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str], env: dict, nice: int = 0) -> subprocess.Popen:
        handle = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )  # fmt: skip
        self.procs[name] = proc
        return proc

    def kill_group(self, name: str) -> int:
        """SIGKILL a process and everything in its session (a gunicorn master and its workers) at once."""
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.pid

    def terminate(self, names: list[str], timeout: float = 90) -> None:
        for name in names:
            proc = self.procs[name]
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in names:
            proc = self.procs[name]
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

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
        time.sleep(0.2)


def start_national(procs: Processes) -> float:
    """Start the national gunicorn; returns the wall-clock time it answered /healthz."""
    procs.start("national", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "motcua.wsgi"], national_env())
    wait_http(f"{NATIONAL_URL}/healthz")
    return time.time()


class CpuSampler:
    """CPU seconds used each second by the national gunicorn, the instances, PostgreSQL and everything else
    (from /proc), so the figures say whether the two cores were the limit."""

    def __init__(self, procs: Processes):
        self.procs = procs
        self.samples: list[dict] = []
        self.stop = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _read(self) -> dict:
        table = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            table[int(entry.name)] = (comm, int(fields[1]), int(fields[3]), int(fields[11]) + int(fields[12]))
        return table

    def _groups(self, table: dict) -> dict[str, int]:
        instance_pids = {p.pid for n, p in self.procs.procs.items() if n.startswith("instance-")}
        national = self.procs.procs.get("national")
        national_sid = national.pid if national else None
        totals = {"national": 0, "instances": 0, "postgresql": 0, "other": 0}
        for pid, (comm, _ppid, session, ticks) in table.items():
            if pid in instance_pids:
                totals["instances"] += ticks
            elif national_sid is not None and session == national_sid:
                totals["national"] += ticks
            elif comm.startswith("postgres"):
                totals["postgresql"] += ticks
            else:
                totals["other"] += ticks
        return totals

    def _loop(self) -> None:
        previous: dict[int, int] | None = None
        while not self.stop.wait(1.0):
            table = self._read()
            ticks = {pid: row[3] for pid, row in table.items()}
            if previous is not None:
                # Each process's growth since the last look; one born since then counts from its start.
                grown = {pid: (*row[:3], ticks[pid] - previous.get(pid, 0)) for pid, row in table.items()}
                per_group = self._groups(grown)
                self.samples.append(
                    {"at": round(time.time(), 2), "system_busy": self._busy(),
                     **{k: round(v / self.tick, 2) for k, v in per_group.items()}}
                )  # fmt: skip
            else:
                self._busy()
            previous = ticks

    _last_stat: tuple[int, int] | None = None

    def _busy(self) -> float | None:
        parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle, total = parts[3] + parts[4], sum(parts)
        last, self._last_stat = self._last_stat, (idle, total)
        if last is None or total == last[1]:
            return None
        return round(1 - (idle - last[0]) / (total - last[1]), 3)

    def start(self) -> None:
        self._busy()
        self.thread.start()

    def finish(self) -> list[dict]:
        self.stop.set()
        self.thread.join(timeout=5)
        return self.samples


# ----- the run -----------------------------------------------------------------------------------------------------


def plan_phases(t0: float) -> dict:
    phases = []
    moment = t0
    for name, rate, seconds in (("warm-up", RATE, WARMUP_SECONDS), ("steady", RATE, STEADY_SECONDS),
                                ("burst", BURST, BURST_SECONDS), ("kill", RATE, KILL_SECONDS)):  # fmt: skip
        if seconds <= 0:
            continue
        gap = BURST_GAP_SECONDS if name == "burst" else GAP_SECONDS
        phases.append({"name": name, "rate": rate, "start": moment, "seconds": seconds, "gap": gap})
        moment += seconds + gap
    return {"t0": t0, "phases": phases, "end": moment}


def pending_everywhere(codes: list[str]) -> int:
    import sqlite3

    total = 0
    for code in codes:
        path = VAR / "instances" / f"{code}.sqlite3"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20) as conn:
            total += conn.execute("SELECT count(*) FROM sync_syncrecord WHERE status != 'accepted'").fetchone()[0]
    return total


def national_count() -> int:
    import psycopg

    with psycopg.connect(f"{PG_URL}/{DB}") as conn:
        return conn.execute("SELECT count(*) FROM national_nationalchange").fetchone()[0]


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    from importlib.metadata import version

    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}", "postgresql": pg_version(),
        "python": platform.python_version(), "gunicorn": version("gunicorn"), "gunicorn_workers": WORKERS,
        "gunicorn_threads": THREADS, "gunicorn_worker_class": "gthread",
    }  # fmt: skip


def commit() -> str | None:
    """The code measured: BENCH_SYNC_COMMIT (a run from an exported tree) or this checkout's HEAD."""
    if os.environ.get("BENCH_SYNC_COMMIT"):
        return os.environ["BENCH_SYNC_COMMIT"]
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


def sync_settings() -> dict:
    """The senders' settings as the product's defaults or MOTCUA_SYNC_* give them (motcua/settings.py's defaults)."""
    defaults = {"MOTCUA_SYNC_BATCH": 200, "MOTCUA_SYNC_TIMEOUT_SECONDS": 20, "MOTCUA_SYNC_RETRY_BASE_SECONDS": 5,
                "MOTCUA_SYNC_RETRY_MAX_SECONDS": 900, "MOTCUA_SYNC_LEASE_SECONDS": 120,
                "MOTCUA_SYNC_MAX_AGE_SECONDS": 300}  # fmt: skip
    return {key: float(os.environ.get(key, value)) for key, value in defaults.items()}


def main() -> None:
    started = time.time()
    load_before = [round(x, 2) for x in os.getloadavg()]
    if VAR.exists():
        shutil.rmtree(VAR)
    (VAR / "logs").mkdir(parents=True)
    (VAR / "instances").mkdir()
    run_dir = VAR / "run"
    run_dir.mkdir()
    chosen = provinces()[:INSTANCES]
    if len(chosen) < INSTANCES:
        raise SystemExit(f"only {len(chosen)} provinces to simulate")
    weights = {code: WEIGHTS.get(code, 1.0) for code, _name in chosen}
    shares = {code: weight / sum(weights.values()) for code, weight in weights.items()}
    plan_seconds = [(RATE, WARMUP_SECONDS), (RATE, STEADY_SECONDS), (BURST, BURST_SECONDS), (RATE, KILL_SECONDS)]
    expected = sum(rate * seconds for rate, seconds in plan_seconds)
    # Each instance needs its share of the changes (Poisson: + 5 standard deviations) in dossiers of 8 changes.
    need = {code: share * expected + 5 * math.sqrt(share * expected) + 8 for code, share in shares.items()}
    dossiers_for = {code: math.ceil(n / ACTIONS_PER_DOSSIER) for code, n in need.items()}
    log(f"{INSTANCES} instances, {RATE:g}/s steady {STEADY_SECONDS:g} s, {BURST:g}/s burst {BURST_SECONDS:g} s, "
        f"kill run {KILL_SECONDS:g} s; ~{expected:,.0f} changes")  # fmt: skip

    log("keys and the national database")
    peers = [
        {"code": code, "name": name, "public_pem": make_key(VAR / "keys" / f"{code}.pem")} for code, name in chosen
    ]
    national_setup = prepare_national(peers)
    log(f"building the template ({max(dossiers_for.values())} dossiers, real dossier services)")
    template = build_template(max(dossiers_for.values()))
    log(f"  {template['dossiers']} dossiers, {template['actions']} actions in {template['seconds']} s")
    for code, _name in chosen:
        shutil.copyfile(VAR / "template.sqlite3", VAR / "instances" / f"{code}.sqlite3")

    procs = Processes(VAR / "logs")
    sampler = CpuSampler(procs)
    report: dict = {
        "benchmark": "sync",
        "database": "postgresql",
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "commit": commit(),
        "machine": machine(),
        "config": {
            "instances": INSTANCES,
            "rate": RATE,
            "burst": BURST,
            "warmup_seconds": WARMUP_SECONDS,
            "steady_seconds": STEADY_SECONDS,
            "burst_seconds": BURST_SECONDS,
            "kill_seconds": KILL_SECONDS,
            "kill_at": KILL_AT,
            "down_seconds": DOWN_SECONDS,
            "gap_seconds": GAP_SECONDS,
            "burst_gap_seconds": BURST_GAP_SECONDS,
            "weights": weights,
            "sync_settings": sync_settings(),
            "national": "gunicorn -c gunicorn.conf.py motcua.wsgi, MOTCUA_ENV=development, MOTCUA_DEBUG=0, "
            "MOTCUA_ROLE=national, PostgreSQL",
            "instance": "scripts/bench_sync/instance.py: SQLite copy of the template, MOTCUA_SYNC_CONNECTOR=motcua",
            "instance_nice": INSTANCE_NICE,
        },  # fmt: skip
        "national_setup": national_setup,
        "template": template,
    }
    events: list[dict] = []
    try:
        national_up = start_national(procs)
        events.append({"at": national_up, "what": "national up"})
        log(f"starting {INSTANCES} instances (each records its changes with the real record_changes)")
        for code, _name in chosen:
            procs.start(
                f"instance-{code}",
                [PYTHON, str(HERE / "instance.py"), "--dir", str(run_dir), "--code", code, "--share",
                 repr(shares[code]), "--dossiers", str(dossiers_for[code])],
                instance_env(code),
                nice=INSTANCE_NICE,
            )  # fmt: skip
        prep_started = time.monotonic()
        while True:
            ready = [code for code, _name in chosen if (run_dir / f"ready-{code}.json").exists()]
            dead = [n for n, p in procs.procs.items() if n.startswith("instance-") and p.poll() is not None]
            if dead:
                raise RuntimeError(f"instances exited during preparation: {dead} (see {VAR / 'logs'})")
            if len(ready) == len(chosen):
                break
            if time.monotonic() - prep_started > 900:
                raise RuntimeError("the instances were not ready within 900 s")
            time.sleep(1)
        log(f"  ready after {time.monotonic() - prep_started:.0f} s")
        report["preparation_seconds"] = round(time.monotonic() - prep_started, 1)
        plan = plan_phases(time.time() + 3)
        (run_dir / "plan.json.tmp").write_text(json.dumps(plan))
        (run_dir / "plan.json.tmp").rename(run_dir / "plan.json")
        report["plan"] = plan
        sampler.start()
        checkpoints = []
        for phase in plan["phases"]:
            log(f"{phase['name']}: {phase['rate']:g} changes/s for {phase['seconds']:g} s")
            if phase["name"] == "kill":
                kill_at = phase["start"] + KILL_AT
                time.sleep(max(0.0, kill_at - time.time()))
                pid = procs.kill_group("national")
                events.append({"at": time.time(), "what": "national killed (SIGKILL, master and workers)", "pid": pid})
                log(f"  SIGKILL the national gunicorn (pid {pid}) and its workers")
                time.sleep(max(0.0, kill_at + DOWN_SECONDS - time.time()))
                events.append({"at": time.time(), "what": "national restarting"})
                healthy = start_national(procs)
                events.append({"at": healthy, "what": "national up"})
                log(f"  restarted; answering after {healthy - kill_at - DOWN_SECONDS:.1f} s")
            # Just before the next phase begins, so its first releases are not counted with this one.
            end = phase["start"] + phase["seconds"] + phase["gap"] - 0.5
            time.sleep(max(0.0, end - time.time()))
            codes = [code for code, _ in chosen]
            checkpoint = {"phase": phase["name"], "at": time.time(),
                          "not_accepted_at_senders": pending_everywhere(codes),
                          "national_changes": national_count()}  # fmt: skip
            checkpoints.append(checkpoint)
            log(f"  after the phase and {phase['gap']:g} s: {checkpoint['not_accepted_at_senders']} not yet accepted, "
                f"{checkpoint['national_changes']} changes at national")  # fmt: skip
        drain_started = time.monotonic()
        codes = [code for code, _ in chosen]
        while pending_everywhere(codes) and time.monotonic() - drain_started < DRAIN_SECONDS:
            time.sleep(2)
        report["final_drain_seconds"] = round(time.monotonic() - drain_started, 1)
        report["checkpoints"] = checkpoints
        log("stopping the instances")
        procs.terminate([f"instance-{code}" for code in codes])
        report["cpu"] = sampler.finish()
        report["events"] = events
        log("measuring")
        report["results"] = measure.measure(
            pg_dsn=f"{PG_URL}/{DB}", instances_dir=VAR / "instances", run_dir=run_dir, codes=codes, plan=plan,
            events=events, cpu=report["cpu"],
        )  # fmt: skip
    finally:
        sampler.stop.set()
        procs.stop_all()
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["duration_seconds"] = round(time.time() - started)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    log(f"wrote {OUT.relative_to(ROOT) if OUT.is_relative_to(ROOT) else OUT}")
    summary = report["results"]["summary"]
    log(json.dumps(summary, ensure_ascii=False))
    if OUT == ROOT / "bench-results" / "sync-postgresql.json":
        subprocess.run([PYTHON, str(HERE / "report.py")], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
