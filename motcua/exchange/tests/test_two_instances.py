"""Two instances, two processes, two databases: this test's instance ("48", the test database, served by the live
server) sends a signed package to a second instance ("79") started as `manage.py runserver` on its own SQLite file
with its own key. The receipt comes back signed by 79's key and verified here; 79 holds the package; a tampered
copy is refused and recorded there; a replay is refused with the first receipt; 79's officer marks it processed
and the signed status reaches 48 through 79's outbox.

About 15 s, most of it migrating the second instance's fresh SQLite database (about 6 s) and starting processes.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from jwcrypto.common import base64url_decode, base64url_encode

from motcua.dossiers.tests.factories import PDF_BYTES, build_world
from motcua.exchange import services, wire
from motcua.exchange.evidence import export_evidence, verify_evidence
from motcua.exchange.models import PackageReceipt
from motcua.exchange.services import OutgoingDocument
from motcua.sync import keys
from motcua.sync.services import register_peer

PEER = "79"
PEER_AGENCY = "H79.10"
SETUP = """
from motcua.accounts.models import Membership, User, UserKind
from motcua.accounts.tokens import issue_token
from motcua.catalog.models import Agency
agency = Agency.objects.create(identifier="H79.10", name="Sở Y tế TP. Hồ Chí Minh", kind="provincial_department")
officer = User.objects.create_user(username="vanthu79", password="mat-khau-an-toan-2026", kind=UserKind.OFFICER,
                                   full_name="Văn thư Sở Y tế")
Membership.objects.create(user=officer, agency=agency, role="reception")
print(issue_token(user=officer, name="test")[1])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PeerInstance:
    """A second motcua instance in its own process, with its own database, key and instance code."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path / "peer"
        self.root.mkdir()
        self.database = self.root / "peer.sqlite3"
        self.key = keys.new_key()
        keys.write_private_pem(self.key, self.root / "key.pem")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.root / "server.log"
        self.env = {
            **os.environ,
            "MOTCUA_ENV": "test",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MOTCUA_INSTANCE_CODE": PEER,
            "MOTCUA_INSTANCE_KEY_FILE": str(self.root / "key.pem"),
            "MOTCUA_TASK_BACKEND": "immediate",
            "MOTCUA_SYNC_CONNECTOR": "off",
            "MOTCUA_VAR_DIR": str(self.root / "var"),
            "MOTCUA_MEDIA_ROOT": str(self.root / "media"),
        }
        self.process: subprocess.Popen | None = None
        self.officer_token = ""

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=django_settings.BASE_DIR, env=self.env, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def prepare(self, *, trusts_code: str, trusts_pem: str, trusts_url: str) -> None:
        self.manage("migrate", "--no-input", "-v0")
        (self.root / "trusted.pem").write_text(trusts_pem)
        self.manage("peer", "add", "--code", trusts_code, "--name", "Đà Nẵng", "--url", trusts_url,
                    "--public-key", str(self.root / "trusted.pem"))  # fmt: skip
        self.officer_token = self.manage("shell", "-c", SETUP).strip().splitlines()[-1]

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"],
            cwd=django_settings.BASE_DIR, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the peer did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def post(self, path: str, data: bytes, content_type: str, token: str = "") -> tuple[int, dict]:
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture
def peer(tmp_path):
    instance = PeerInstance(tmp_path)
    yield instance
    instance.stop()


@pytest.mark.django_db(transaction=True)
def test_a_signed_package_and_its_receipt_between_two_instances(peer, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    started = time.monotonic()
    world = build_world()
    ours = keys.instance_key()
    peer.prepare(trusts_code="48", trusts_pem=keys.public_pem(ours), trusts_url=live_server.url)
    peer.start()
    prepared_in = time.monotonic() - started
    register_peer(code=PEER, name="TP. Hồ Chí Minh", public_pem=keys.public_pem(peer.key), url=peer.url)

    # Sent: written and committed, then delivered by the outbox over HTTP to the other process.
    package = services.send_package(
        sender_agency=world.agency, recipient_agency_identifier=PEER_AGENCY, recipient_instance=PEER,
        kind="lien_thong", subject="Liên thông đăng ký khai sinh — cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
        documents=[OutgoingDocument("to-khai.pdf", "application/pdf", PDF_BYTES)], dossier_code="H17.20.194-0001",
        metadata={"step": "Cấp thẻ BHYT"}, sent_by=world.reception,
    )  # fmt: skip
    package.refresh_from_db()
    assert package.status == "received", (package.last_error, peer.log.read_text()[-3000:])
    receipt = PackageReceipt.objects.get(package=package)
    assert receipt.receiving_instance == PEER and receipt.signer_kid == keys.kid_of(peer.key) != keys.kid_of(ours)
    assert receipt.package_sha256 == package.token_sha256 == wire.sha256_hex(package.token)
    assert package.recipient_name == "Sở Y tế TP. Hồ Chí Minh"  # as the receiver's catalogue names it

    # The other instance holds it, in its own database, with the document's bytes and the receipt it signed.
    held = peer.rows(
        "SELECT id, status, sender_instance, token_sha256, kind, dossier_code FROM exchange_exchangepackage "
        "WHERE package_id = ? AND direction = 'incoming'", package.package_id.hex,
    )  # fmt: skip
    assert [row[1:] for row in held] == [("received", "48", package.token_sha256, "lien_thong", "H17.20.194-0001")]
    [(size, digest, path)] = peer.rows(
        "SELECT size, sha256, file FROM exchange_packagedocument WHERE package_id = ?", held[0][0]
    )
    assert (size, digest) == (len(PDF_BYTES), wire.sha256_hex(PDF_BYTES))
    assert (peer.root / "media" / path).read_bytes() == PDF_BYTES
    assert peer.rows("SELECT token FROM exchange_packagereceipt WHERE package_id = ?", held[0][0]) == [(receipt.token,)]

    # A tampered copy is refused by the other instance, and recorded there; nothing more is kept.
    header, payload, signature = package.token.split(".")
    claims = json.loads(base64url_decode(payload))
    claims["package"]["documents"][0]["content"] = base64.b64encode(PDF_BYTES.replace(b"Catalog", b"Catalof")).decode()
    tampered = f"{header}.{base64url_encode(json.dumps(claims).encode())}.{signature}"
    status, body = peer.post(wire.PACKAGES_PATH, tampered.encode(), "application/jose")
    assert (status, body["error"]["code"]) == (401, "bad_signature")
    assert peer.rows("SELECT reason FROM exchange_incomingattempt WHERE outcome = 'refused'") == [("bad_signature",)]
    # Sent again as it was, it is a replay: refused, with the receipt issued the first time.
    status, body = peer.post(wire.PACKAGES_PATH, package.token.encode(), "application/jose")
    assert (status, body["error"]["code"], body["receipt"]) == (409, "replay", receipt.token)
    assert len(peer.rows("SELECT id FROM exchange_exchangepackage")) == 1

    # The receiving officer marks it processed there; the signed status comes back here through its outbox.
    status, body = peer.post(
        f"{wire.PACKAGES_PATH}/{package.package_id}/processed", json.dumps({"note": "Đã cấp thẻ"}).encode(),
        "application/json", token=peer.officer_token,
    )  # fmt: skip
    assert (status, body["status"]) == (200, "processed"), (body, peer.log.read_text()[-3000:])
    package.refresh_from_db()
    assert package.status == "processed" and package.processed_at is not None
    assert package.events.last().note == "Văn thư Sở Y tế (H79.10): Đã cấp thẻ"
    assert peer.rows("SELECT status_reported_at IS NOT NULL FROM exchange_exchangepackage") == [(1,)]

    # The evidence file here proves it with the two instances' two keys.
    report = verify_evidence(export_evidence(package_id=package.package_id))
    assert (report.sender_instance, report.receiver_instance, report.outcome) == ("48", PEER, "received")
    assert "statuses" in report.checks
    assert prepared_in < 30 and time.monotonic() - started < 40, f"slow: prepared in {prepared_in:.1f} s"
