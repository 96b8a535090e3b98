"""A second motcua instance for tests: its own process (gunicorn, the production server) and its own database
(a SQLite file), started, killed and restarted by the test."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Instance:
    """motcua in its own process on its own database, configured by `environment`."""

    def __init__(self, directory: Path, *, code: str, role: str, environment: dict[str, str] | None = None):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.database = directory / f"{code}.sqlite3"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"{code}.log"
        self.env = {
            **os.environ, "MOTCUA_ENV": "test", "DATABASE_URL": f"sqlite:///{self.database}", "MOTCUA_ROLE": role,
            "MOTCUA_INSTANCE_CODE": code, "MOTCUA_INSTANCE_KEY_FILE": str(directory / f"{code}-key.pem"),
            "MOTCUA_TASK_BACKEND": "immediate", "MOTCUA_SITE_URL": self.url, "MOTCUA_VAR_DIR": str(directory / "var"),
            "MOTCUA_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1", "MOTCUA_WEB_THREADS": "4",
            **(environment or {}),
        }  # fmt: skip
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=self.env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "motcua.wsgi"], cwd=settings.BASE_DIR,
            env=self.env, stdout=subprocess.DEVNULL, stderr=self.log.open("a"), start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the instance did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a crash would."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def query(self, sql: str, *params) -> list[tuple]:
        """Read the instance's own database (what it holds, not what it says)."""
        with sqlite3.connect(self.database, timeout=10) as db:
            return db.execute(sql, params).fetchall()
