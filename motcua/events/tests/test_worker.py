"""The outbox with a real worker process (`manage.py run_huey`, the one `make run` starts): an action committed
while the worker is down is delivered once after it starts, and a rolled-back action sends nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from huey.contrib.djhuey import HUEY

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at, build_world
from motcua.events.models import OutboxMessage
from motcua.notify.models import EmailStatus, Notification


def database_url() -> str:
    """The test database, for the worker process to use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`manage.py run_huey` on its own SQLite queue, sending email into files."""

    def __init__(self, tmp_path: Path):
        self.mail_dir = tmp_path / "mail"
        self.log = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "MOTCUA_ENV": "test",
            "DATABASE_URL": database_url(),
            "MOTCUA_TASK_BACKEND": "sqlite",
            "MOTCUA_TASK_SQLITE": str(tmp_path / "queue.sqlite3"),
            "MOTCUA_TASK_WORKERS": "1",
            "MOTCUA_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "MOTCUA_EMAIL_FILE_PATH": str(self.mail_dir),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.write_text("")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def wait_for_relay(self, timeout: float = 60) -> None:
        """Until the relay that runs when a worker starts has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            if any("relay_outbox" in line and "executed in" in line for line in self.log.read_text().splitlines()):
                return
            time.sleep(0.2)
        raise AssertionError(f"the worker's relay did not run:\n{self.log.read_text()}")

    def emails(self) -> list[EmailMessage]:
        """Every email sent, as the mail server would have received it. The file backend ends each message with a
        line of 79 dashes, and two connections opened in the same second may share a file (its name is the time and
        the connection's id), so a file is split at those lines."""
        files = sorted(self.mail_dir.glob("*")) if self.mail_dir.exists() else []
        separator = "\n" + "-" * 79 + "\n"
        return [
            message_from_string(part, policy=policy.default)
            for path in files
            for part in path.read_text().split(separator)
            if part.strip()
        ]


@pytest.fixture
def worker(tmp_path):
    worker = Worker(tmp_path)
    yield worker
    worker.stop()


@pytest.mark.django_db(transaction=True)
def test_an_action_committed_while_the_worker_is_down_is_delivered_once_after_it_starts(
    worker, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The worker is down: wake-ups go to a queue nobody reads (in tests the engine otherwise runs at once).
    monkeypatch.setattr(HUEY, "immediate", False)
    world = build_world()
    world.owner.email = "hoa@example.vn"
    world.owner.save()
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 9),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    # An action that would notify, in a transaction that then fails: nothing of it may leave.
    with pytest.raises(RuntimeError), transaction.atomic():
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REQUEST_SUPPLEMENT,
            now=at(2026, 11, 23, 11), missing=["Giấy chứng sinh bản chính"],
        )  # fmt: skip
        raise RuntimeError("the server crashed before commit")
    assert OutboxMessage.objects.filter(status="pending", handler="notify.send_email").count() == 2
    assert worker.emails() == []

    worker.start()
    worker.wait_for_relay()
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("delivered", 1)}
    titles = [f"Hồ sơ {dossier.code}: Mới đăng ký", f"Hồ sơ {dossier.code}: Được tiếp nhận"]
    emails = worker.emails()
    assert sorted(email["Subject"].strip() for email in emails) == titles  # each once; never the rolled-back one
    assert {email["To"] for email in emails} == {"hoa@example.vn"}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}

    # Killed and started again, the worker relays once more: nothing is sent twice.
    worker.stop()
    worker.start()
    worker.wait_for_relay()
    assert len(worker.emails()) == 2
