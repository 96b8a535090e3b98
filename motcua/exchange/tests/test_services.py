"""Sending, receiving and acknowledging packages between two agencies of this instance (in process, through the
outbox), and every refusal: a tampered, forged, misaddressed, stale or replayed package is never kept."""

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone
from jwcrypto.common import base64url_decode, base64url_encode

from motcua.dossiers.tests.factories import PDF_BYTES, at
from motcua.events.models import MessageStatus, OutboxMessage
from motcua.exchange import services, wire
from motcua.exchange.errors import ExchangeError, MessageRefusedError
from motcua.exchange.models import (
    Direction,
    ExchangePackage,
    IncomingAttempt,
    PackageReceipt,
)
from motcua.exchange.tests.conftest import letter
from motcua.sync import keys, protocol
from motcua.sync.services import register_peer

pytestmark = pytest.mark.django_db

SENT_AT = at(2026, 12, 7, 9)  # a claim only: packages are signed now, as receivers refuse old signatures


def send(world, **overrides):
    arguments = {
        "sender_agency": world.agency, "recipient_agency_identifier": world.other_agency.identifier,
        "recipient_instance": "48", "kind": "cong_van", "subject": "Đề nghị phối hợp xác minh hộ tịch",
        "documents": [letter(), letter("phu-luc.txt", "Phụ lục: danh sách đính kèm".encode())],
        "sent_by": world.reception,
    }  # fmt: skip
    return services.send_package(**{**arguments, **overrides})


def incoming(package):
    return ExchangePackage.objects.get(package_id=package.package_id, direction=Direction.INCOMING)


def test_a_package_to_another_agency_of_this_instance_is_received_and_acknowledged(world, delivered):
    sent = delivered(send, world)

    sent.refresh_from_db()
    assert sent.status == "received" and sent.attempts == 1 and sent.last_error == ""
    assert [e.action for e in sent.events.all()] == ["sent", "delivered", "received"]
    received = incoming(sent)
    assert received.status == "received" and received.agency == world.other_agency
    assert (received.sender_identifier, received.sender_instance) == (world.agency.identifier, "48")
    assert received.token == sent.token and received.token_sha256 == wire.sha256_hex(sent.token)
    documents = list(received.documents.all())
    assert [(d.name, d.media_type, d.size) for d in documents] == [
        ("cong-van-123.pdf", "application/pdf", len(PDF_BYTES)),
        ("phu-luc.txt", "application/pdf", len("Phụ lục: danh sách đính kèm".encode())),
    ]
    assert documents[0].file.read() == PDF_BYTES
    # The sender keeps the receipt the receiver signed: it names the exact token that was sent.
    receipt = PackageReceipt.objects.get(package=sent)
    assert receipt.token == PackageReceipt.objects.get(package=received).token
    opened, claims = wire.open_receipt(receipt.token, now=dt.datetime.now(dt.UTC))
    assert claims.package_sha256 == sent.token_sha256 and claims.outcome == "received"
    assert opened.issuer == "48"
    assert IncomingAttempt.objects.filter(outcome="accepted", package=received).count() == 1
    assert OutboxMessage.objects.get(handler=services.DELIVER_PACKAGE).status == MessageStatus.DELIVERED


def test_processed_and_returned_reach_the_sender_as_signed_statuses(world, delivered):
    first = delivered(send, world)
    delivered(services.mark_processed, package_id=first.package_id, officer=world.other_officer, note="Đã xác minh")
    first.refresh_from_db()
    assert first.status == "processed" and first.processed_at is not None
    assert first.events.last().note == "Canbo_So (H17.01): Đã xác minh" and first.events.last().actor_instance == "48"
    assert incoming(first).status_reported_at is not None

    second = delivered(send, world, subject="Đề nghị cung cấp thông tin cư trú")
    delivered(services.return_package, package_id=second.package_id, officer=world.other_officer,
              reason="Không thuộc thẩm quyền của Sở Tư pháp")  # fmt: skip
    second.refresh_from_db()
    assert (second.status, second.return_reason) == ("returned", "Không thuộc thẩm quyền của Sở Tư pháp")
    # Nobody else may act on the received package, and a finished one cannot be acted on again.
    with pytest.raises(ExchangeError) as refused:
        services.mark_processed(package_id=second.package_id, officer=world.other_officer)
    assert refused.value.code == "wrong_state"
    third = delivered(send, world, subject="Thứ ba")
    with pytest.raises(ExchangeError) as refused:
        services.mark_processed(package_id=third.package_id, officer=world.reception)
    assert refused.value.status == 404
    with pytest.raises(ExchangeError):
        services.return_package(package_id=third.package_id, officer=world.other_officer, reason="  ")


def test_a_lien_thong_step_carries_its_dossier_code_and_step(world, delivered):
    with pytest.raises(ExchangeError) as refused:
        send(world, kind="lien_thong")
    assert "dossier_code" in refused.value.errors
    dossier_file = world.upload(name="giay-chung-sinh.pdf")  # a dossier's stored document goes as it is
    sent = delivered(send, world, kind="lien_thong", dossier_code="H17.20.194-261207-0001", documents=[dossier_file],
                     metadata={"step": "Cấp thẻ bảo hiểm y tế", "procedure": "1.001193"})  # fmt: skip
    received = incoming(sent)
    [document] = received.documents.all()
    assert (document.name, document.sha256, document.size) == ("giay-chung-sinh.pdf", dossier_file.sha256,
                                                                dossier_file.size)  # fmt: skip
    assert received.kind == "lien_thong" and received.dossier_code == "H17.20.194-261207-0001"
    assert received.metadata == {"step": "Cấp thẻ bảo hiểm y tế", "procedure": "1.001193"}


def test_only_an_officer_of_the_sending_agency_sends(world):
    for who in (world.other_officer, world.owner):
        with pytest.raises(ExchangeError) as refused:
            send(world, sent_by=who)
        assert refused.value.status == 403
    with pytest.raises(ExchangeError) as refused:
        send(world, recipient_agency_identifier="H99.99")
    assert refused.value.code == "unknown_recipient"
    with pytest.raises(ExchangeError) as refused:
        send(world, recipient_instance="79")
    assert refused.value.code == "unknown_instance"
    with pytest.raises(ExchangeError):
        send(world, documents=[])
    with pytest.raises(ExchangeError):
        send(world, documents=[letter(body=b"")])
    assert not ExchangePackage.objects.exists()


def _tampered(token: str, position: int) -> str:
    character = token[position]
    replacement = "A" if character != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


def test_a_tampered_package_is_refused_whatever_byte_changed_and_each_attempt_is_recorded(world):
    token = send(world).token  # signed, not delivered
    header_end, payload_end = token.index("."), token.rindex(".")
    positions = sorted({0, header_end - 1, header_end + 1, payload_end - 1, payload_end + 1, len(token) - 1,
                        *range(header_end + 1, payload_end, max(1, (payload_end - header_end) // 25))})  # fmt: skip
    positions = [p for p in positions if token[p] != "."]
    reasons = set()
    for position in positions:
        with pytest.raises(MessageRefusedError) as refused:
            services.receive_package(token=_tampered(token, position), remote_addr="203.0.113.9")
        reasons.add(refused.value.reason)
        assert refused.value.status in (400, 401)
    assert reasons <= {"bad_signature", "malformed", "wrong_type"} and "bad_signature" in reasons
    assert not ExchangePackage.objects.filter(direction=Direction.INCOMING).exists()
    attempts = IncomingAttempt.objects.filter(outcome="refused")
    assert attempts.count() == len(positions)
    assert set(attempts.values_list("remote_addr", flat=True)) == {"203.0.113.9"}
    assert "bad_signature" in set(attempts.values_list("reason", flat=True))
    # The untouched token is still good.
    assert services.receive_package(token=token).outcome == "received"


def test_a_changed_last_character_that_base64_would_ignore_is_refused_too(world):
    token = send(world).token
    header, payload, signature = token.split(".")
    raw = base64url_decode(signature)
    assert base64url_encode(raw) == signature
    # 64 bytes are 86 characters; the last one's low 4 bits carry nothing, so another letter decodes the same.
    last = signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same = next(c for c in alphabet if c != last and alphabet.index(c) >> 4 == alphabet.index(last) >> 4)
    forged = f"{header}.{payload}.{signature[:-1]}{same}"
    assert base64.urlsafe_b64decode(forged.split(".")[2] + "==") == raw  # a lenient decoder sees the same bytes
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=forged)
    assert refused.value.reason == "malformed"


def test_a_replayed_package_is_refused_with_the_first_receipt(world, delivered):
    sent = delivered(send, world)
    first_receipt = PackageReceipt.objects.get(package=sent).token
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=sent.token, remote_addr="198.51.100.7")
    assert refused.value.reason == "replay" and refused.value.status == 409
    assert refused.value.receipt == first_receipt
    assert ExchangePackage.objects.filter(direction=Direction.INCOMING).count() == 1
    replay = IncomingAttempt.objects.get(outcome="refused")
    assert (replay.reason, replay.claimed_package_id) == ("replay", str(sent.package_id))


def test_a_package_for_another_instance_is_refused(world):
    register_peer(code="79", name="TP. Hồ Chí Minh", public_pem=keys.public_pem(keys.new_key()), url="http://x.invalid")
    token = send(world, recipient_instance="79", recipient_agency_identifier="H79.01").token
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=token)
    assert refused.value.reason == "wrong_audience"
    assert IncomingAttempt.objects.get().reason == "wrong_audience"


def _claims(world, **changes):
    claims = wire.package_claims(
        package_id=__import__("uuid").uuid4(), kind="cong_van",
        sender={"identifier": "H79.01", "name": "Sở Tư pháp TP. Hồ Chí Minh", "instance": "79"},
        recipient={"identifier": world.other_agency.identifier, "name": "", "instance": "48"},
        subject="Công văn", dossier_code="", metadata={}, sent_at=SENT_AT, documents=[("a.pdf", "application/pdf",
                                                                                       PDF_BYTES)],
    )  # fmt: skip
    claims["package"].update(changes)
    return claims


def test_a_package_signed_by_an_unregistered_or_retired_key_or_another_sender_is_refused(world):
    peer_key = keys.new_key()
    now = dt.datetime.now(dt.UTC)
    token, _id = protocol.sign(typ=wire.PACKAGE, claims=_claims(world), audience="48", issuer="79", key=peer_key,
                               now=now)  # fmt: skip
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=token)
    assert refused.value.reason == "unknown_key"
    registered = register_peer(code="79", name="TP. Hồ Chí Minh", public_pem=keys.public_pem(peer_key),
                               now=now - dt.timedelta(days=1))  # fmt: skip
    # Registered, the same key is trusted; but not to speak for an agency of another instance.
    liar, _id = protocol.sign(
        typ=wire.PACKAGE, claims=_claims(world, sender={"identifier": "H48.01", "name": "X", "instance": "48"}),
        audience="48", issuer="79", key=peer_key, now=now,
    )  # fmt: skip
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=liar)
    assert refused.value.reason == "wrong_sender"
    assert services.receive_package(token=token).outcome == "received"
    # Too old (or from the future), and once the key is retired.
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=token, now=now + dt.timedelta(days=2))
    assert refused.value.reason == "stale"
    from motcua.sync.services import retire_peer_key

    retire_peer_key(kid=registered.kid, now=now)
    fresh, _id = protocol.sign(typ=wire.PACKAGE, claims=_claims(world), audience="48", issuer="79", key=peer_key,
                               now=now)  # fmt: skip
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=fresh, now=now + dt.timedelta(seconds=1))
    assert refused.value.reason == "unknown_key"
    assert list(IncomingAttempt.objects.order_by("pk").values_list("outcome", "reason")) == [
        ("refused", "unknown_key"), ("refused", "wrong_sender"), ("accepted", ""), ("refused", "stale"),
        ("refused", "unknown_key"),
    ]  # fmt: skip


def test_a_document_whose_content_differs_from_its_signed_digest_is_refused(world):
    claims = _claims(world, sender={"identifier": world.agency.identifier, "name": "", "instance": "48"})
    claims["package"]["documents"][0]["content"] = base64.b64encode(PDF_BYTES + b"x").decode()
    token, _id = wire.sign(typ=wire.PACKAGE, claims=claims, audience="48", now=dt.datetime.now(dt.UTC))[:2]
    with pytest.raises(MessageRefusedError) as refused:
        services.receive_package(token=token)
    assert refused.value.reason == "digest_mismatch"
    assert "SHA-256" in refused.value.message


def test_a_package_for_an_agency_the_receiver_does_not_have_is_returned_with_a_signed_reason(world, delivered):
    claims = _claims(world, sender={"identifier": world.agency.identifier, "name": "", "instance": "48"},
                     recipient={"identifier": "H48.99", "name": "Không có", "instance": "48"})  # fmt: skip
    token = wire.sign(typ=wire.PACKAGE, claims=claims, audience="48", now=dt.datetime.now(dt.UTC))[0]
    issued = services.receive_package(token=token)
    assert issued.outcome == "returned" and "H48.99" in issued.reason
    receipt = json.loads(base64url_decode(issued.token.split(".")[1]))["receipt"]
    assert receipt["outcome"] == "returned" and receipt["package_sha256"] == wire.sha256_hex(token)
    kept = ExchangePackage.objects.get(direction=Direction.INCOMING)
    assert kept.status == "returned" and kept.agency is None


def test_an_unreachable_receiver_is_retried_by_the_outbox_and_each_failure_recorded(world, delivered):
    register_peer(code="79", name="TP. Hồ Chí Minh", public_pem=keys.public_pem(keys.new_key()),
                  url="http://127.0.0.1:9")  # fmt: skip
    sent = delivered(send, world, recipient_instance="79", recipient_agency_identifier="H79.01")
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.attempts == 1 and "127.0.0.1:9" in sent.last_error
    assert [e.action for e in sent.events.all()] == ["sent", "delivery_failed"]
    message = OutboxMessage.objects.get(handler=services.DELIVER_PACKAGE)
    assert message.status == MessageStatus.PENDING and message.attempts == 1 and message.available_at > sent.created_at


def test_a_package_that_waited_longer_than_receivers_accept_is_signed_again_before_it_goes(world, delivered):
    late = delivered(send, world, now=timezone.now() - dt.timedelta(days=2))  # the receiver was down two days
    first_token = ExchangePackage.objects.get(pk=late.pk).events.first().token
    late.refresh_from_db()
    assert late.status == "received" and late.token != first_token
    assert [e.action for e in late.events.all()] == ["sent", "resigned", "delivered", "received"]
    assert PackageReceipt.objects.get(package=late).package_sha256 == wire.sha256_hex(late.token)
    stale = IncomingAttempt.objects.get(outcome="refused")
    assert (stale.reason, stale.token_sha256) == ("stale", wire.sha256_hex(first_token))
