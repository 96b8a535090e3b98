"""The exchange API: instances post signed packages and statuses (anonymous, the signature is the authentication);
officers read their own agencies' packages only."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.tokens import issue_token
from motcua.dossiers.tests.factories import PDF_BYTES
from motcua.exchange import wire
from motcua.exchange.evidence import verify_evidence
from motcua.exchange.models import Direction, ExchangePackage, IncomingAttempt
from motcua.exchange.tests.conftest import letter
from motcua.exchange.tests.test_services import send

pytestmark = pytest.mark.django_db
PACKAGES = "/api/v1/exchange/packages"
STATUSES = "/api/v1/exchange/statuses"


def post(url: str, token: str, **extra):
    return Client().post(url, data=token, content_type="application/jose", **extra)


def test_a_posted_package_is_answered_with_its_signed_receipt_and_a_second_post_is_refused(world):
    token = send(world).token
    answer = post(PACKAGES, token, REMOTE_ADDR="192.0.2.10")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    _opened, receipt = wire.open_receipt(body["receipt"], now=dt.datetime.now(dt.UTC))
    assert receipt.package_sha256 == wire.sha256_hex(token) and body["outcome"] == "received"
    assert ExchangePackage.objects.get(direction=Direction.INCOMING).remote_addr == "192.0.2.10"

    again = post(PACKAGES, token)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "replay" and again.json()["receipt"] == body["receipt"]


def test_a_tampered_or_malformed_package_is_refused_with_a_clear_error(world):
    token = send(world).token
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    answer = post(PACKAGES, tampered)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "bad_signature"
    assert "đã bị thay đổi sau khi ký" in answer.json()["error"]["message"]
    english = post(PACKAGES, tampered, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["code"] == "bad_signature"
    garbage = post(PACKAGES, "not a token")
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "malformed")
    assert IncomingAttempt.objects.filter(outcome="refused").count() == 3
    assert not ExchangePackage.objects.filter(direction=Direction.INCOMING).exists()


def test_a_package_larger_than_a_form_may_be_is_received(world, settings):
    big = b"%PDF-1.4\n" + bytes(range(256)) * (12 * 1024) + b"\n%%EOF\n"  # 3 MB, above DATA_UPLOAD_MAX_MEMORY_SIZE
    assert len(big) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    token = send(world, documents=[letter("ho-so-quet.pdf", big)]).token
    answer = post(PACKAGES, token)
    assert answer.status_code == 200, answer.content[:300]
    received = ExchangePackage.objects.get(direction=Direction.INCOMING).documents.get()
    assert received.size == len(big) and received.file.read() == big


def test_a_status_for_a_package_not_sent_from_here_is_refused(world):
    claims = wire.status_claims(
        package_id=uuid.uuid4(), package_sha256="0" * 64, status="processed", reason="", note="", at=dt.datetime.now(
            dt.UTC), agency="H17.01", officer="X",
    )  # fmt: skip
    token = wire.sign(typ=wire.STATUS, claims=claims, audience="48", now=dt.datetime.now(dt.UTC))[0]
    answer = post(STATUSES, token)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "unknown_package")
    # A package token is not a status, even well signed.
    assert post(STATUSES, send(world).token).json()["error"]["code"] == "wrong_type"
    assert set(IncomingAttempt.objects.values_list("kind", "outcome")) == {("status", "refused")}


def test_officers_see_their_own_agencies_packages_only_and_act_on_received_ones(world, delivered):
    sent = delivered(send, world)
    sender, receiver, outsider = Client(), Client(), Client()
    sender.force_login(world.reception)
    receiver.force_login(world.other_officer)
    outsider.force_login(world.other_citizen)
    assert [p["direction"] for p in sender.get(PACKAGES).json()] == ["outgoing"]
    assert [(p["direction"], p["status"]) for p in receiver.get(PACKAGES).json()] == [("incoming", "received")]
    assert outsider.get(PACKAGES).json() == []
    assert receiver.get(PACKAGES, {"direction": "outgoing"}).json() == []
    assert len(receiver.get(PACKAGES, {"direction": "incoming", "status": "received"}).json()) == 1
    assert receiver.get(PACKAGES, {"status": "lost"}).status_code == 422
    assert Client().get(PACKAGES).status_code == 401
    detail = receiver.get(f"{PACKAGES}/{sent.package_id}").json()
    assert detail["direction"] == "incoming" and [d["name"] for d in detail["documents"]] == [
        "cong-van-123.pdf", "phu-luc.txt",
    ]  # fmt: skip
    assert detail["receipt"] and [e["action"] for e in detail["events"]] == ["received"]
    assert outsider.get(f"{PACKAGES}/{sent.package_id}").status_code == 404
    # The sender may not act on the receiver's copy; the receiver may, once.
    assert (
        sender.post(f"{PACKAGES}/{sent.package_id}/processed", {}, content_type="application/json").status_code == 404
    )
    _row, bearer = issue_token(user=world.other_officer, name="văn thư")
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {bearer}")
    answer = delivered(
        with_token.post, f"{PACKAGES}/{sent.package_id}/return", {"reason": "Sai cơ quan nhận"},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "returned"
    sent.refresh_from_db()
    assert (sent.status, sent.return_reason) == ("returned", "Sai cơ quan nhận")
    again = with_token.post(f"{PACKAGES}/{sent.package_id}/processed", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_state"


def test_an_officer_sends_a_package_with_uploaded_files_and_downloads_it_and_its_evidence(world, delivered):
    officer = Client()
    officer.force_login(world.reception)
    form = {
        "sender_agency": world.agency.identifier, "recipient_agency": world.other_agency.identifier,
        "recipient_instance": "48", "kind": "lien_thong", "subject": "Liên thông khai sinh — thường trú",
        "dossier_code": "H17.20.194-261207-0002", "metadata": '{"step": "Đăng ký thường trú"}',
    }  # fmt: skip
    answer = delivered(officer.post, "/api/v1/exchange/outgoing",
                       {**form, "files": [SimpleUploadedFile("to-khai.pdf", PDF_BYTES)]})  # fmt: skip
    assert answer.status_code == 201, answer.content
    sent = answer.json()
    assert (sent["status"], sent["direction"], sent["kind"]) == ("sent", "outgoing", "lien_thong")
    package_id = sent["package_id"]
    assert officer.get(f"{PACKAGES}/{package_id}").json()["status"] == "received"  # delivered after commit
    receiver = Client()
    receiver.force_login(world.other_officer)
    file = receiver.get(f"{PACKAGES}/{package_id}/documents/1")
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF_BYTES
    assert file["Content-Type"] == "application/pdf" and "attachment" in file["Content-Disposition"]
    evidence = receiver.get(f"{PACKAGES}/{package_id}/evidence")
    assert evidence["Content-Type"] == "application/zip"
    assert verify_evidence(evidence.content).outcome == "received"
    # Someone else's packages are not found; a file that is not what it says is refused; so is another's agency.
    outsider = Client()
    outsider.force_login(world.other_citizen)
    assert outsider.get(f"{PACKAGES}/{package_id}/documents/1").status_code == 404
    assert outsider.get(f"{PACKAGES}/{package_id}/evidence").status_code == 404
    assert receiver.get(f"{PACKAGES}/{package_id}/documents/9").status_code == 404
    fake = officer.post("/api/v1/exchange/outgoing", {**form, "files": [SimpleUploadedFile("x.pdf", b"<html>")]})
    assert fake.status_code == 400 and "files" in {d["field"] for d in fake.json()["error"]["details"]}
    other = receiver.post("/api/v1/exchange/outgoing", {**form, "files": [SimpleUploadedFile("a.pdf", PDF_BYTES)]})
    assert other.status_code == 403
    assert officer.post("/api/v1/exchange/outgoing", {**form, "metadata": "[1]",
                        "files": [SimpleUploadedFile("a.pdf", PDF_BYTES)]}).status_code == 400  # fmt: skip
