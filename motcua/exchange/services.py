"""Every write of the exchange: sending a package, receiving one and issuing its receipt, recording the receipt
that comes back, and the receiver's later processed/returned status travelling back to the sender.

Sending writes the package and queues its delivery in the outbox, in one transaction; the delivery (handlers.py)
runs after commit, outside any transaction: it posts the package to the receiving instance (or, for an agency on
this instance, hands it to `receive_package` in this process — the same checks, no HTTP), and records the receipt
in the answer. A delivery that fails is retried by the outbox's backoff; one whose answer was lost finds, on its
retry, the receipt the receiver issued the first time (a replay is refused, but carries that receipt back).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from jwcrypto.common import base64url_decode

from motcua.catalog.models import Agency
from motcua.core.locking import lock_one
from motcua.documents.models import StoredDocument
from motcua.dossiers.policy import officer_roles
from motcua.events import services as events
from motcua.exchange import transport, wire
from motcua.exchange.errors import DeliveryFailed, ExchangeError, MessageRefusedError, ReceiptInvalid
from motcua.exchange.models import (
    AttemptOutcome,
    Direction,
    EventAction,
    ExchangePackage,
    IncomingAttempt,
    MessageKind,
    PackageDocument,
    PackageEvent,
    PackageKind,
    PackageReceipt,
    PackageStatus,
    ReceiptOutcome,
)
from motcua.exchange.signals import PACKAGE_SETTLED
from motcua.sync.models import PeerInstance
from motcua.sync.protocol import MessageRefused

logger = logging.getLogger(__name__)

DELIVER_PACKAGE = "exchange.deliver_package"
DELIVER_STATUS = "exchange.deliver_status"


@dataclass(frozen=True)
class OutgoingDocument:
    """A document to send: its name as the recipient will see it, its media type and its bytes."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class IssuedReceipt:
    """What the receiver answers: the signed receipt and what it says."""

    token: str
    outcome: str
    package_id: uuid.UUID
    reason: str = ""


def _max_package_bytes() -> int:
    return settings.MOTCUA_EXCHANGE_MAX_PACKAGE_BYTES


# ----- sending --------------------------------------------------------------------------------------------------


@transaction.atomic
def send_package(
    *,
    sender_agency: Agency,
    recipient_agency_identifier: str,
    recipient_instance: str,
    kind: str,
    subject: str,
    documents: Iterable[OutgoingDocument | StoredDocument | tuple[str, str, bytes]],
    dossier_code: str | None = None,
    sent_by,
    now: dt.datetime | None = None,
    recipient_agency_name: str = "",
    metadata: dict | None = None,
) -> ExchangePackage:
    """Gửi gói tin liên thông: sign a package from `sender_agency` to an agency of `recipient_instance` (this
    instance's own code for one of its agencies) and queue its delivery. Raises ExchangeError saying what is wrong."""
    now = now or timezone.now()
    own = settings.MOTCUA_INSTANCE_CODE
    if sender_agency.pk not in officer_roles(sent_by):
        raise ExchangeError(
            _("Chỉ cán bộ của cơ quan gửi mới gửi được gói tin của cơ quan đó."), code="forbidden", status=403
        )
    if kind not in PackageKind.values:
        raise ExchangeError(_("Loại gói tin không hợp lệ."), errors={"kind": _("Chọn công văn hoặc hồ sơ liên thông.")})
    subject = (subject or "").strip()
    if not subject or len(subject) > 1000:
        raise ExchangeError(_("Cần trích yếu (tối đa 1000 ký tự)."), errors={"subject": _("Cần trích yếu.")})
    dossier_code = (dossier_code or "").strip()
    if kind == PackageKind.INTER_AGENCY_STEP and not dossier_code:
        raise ExchangeError(
            _("Hồ sơ liên thông cần mã hồ sơ."), errors={"dossier_code": _("Cần mã hồ sơ của bước liên thông.")}
        )
    metadata = metadata or {}
    try:
        json.dumps(metadata)
    except (TypeError, ValueError):
        raise ExchangeError(_("Thông tin kèm theo phải là dữ liệu JSON.")) from None
    recipient_identifier = (recipient_agency_identifier or "").strip()
    recipient_name = recipient_agency_name
    if recipient_instance == own:
        recipient = Agency.objects.filter(identifier=recipient_identifier, is_active=True).first()
        if recipient is None:
            raise ExchangeError(
                _("Không có cơ quan nhận %(identifier)s trên hệ thống này.") % {"identifier": recipient_identifier},
                code="unknown_recipient",
            )
        if recipient.pk == sender_agency.pk:
            raise ExchangeError(_("Cơ quan nhận phải khác cơ quan gửi."), code="unknown_recipient")
        recipient_name = recipient.name
    elif not PeerInstance.objects.filter(code=recipient_instance, is_active=True).exclude(url="").exists():
        raise ExchangeError(
            _("Hệ thống nhận %(instance)s chưa được đăng ký (kèm địa chỉ nhận gói tin) trên hệ thống này.")
            % {"instance": recipient_instance},
            code="unknown_instance",
        )
    files = _read_documents(documents)
    package_id = uuid.uuid4()
    sender = {"identifier": sender_agency.identifier, "name": sender_agency.name, "instance": own}
    recipient_party = {"identifier": recipient_identifier, "name": recipient_name, "instance": recipient_instance}
    claims = wire.package_claims(
        package_id=package_id, kind=kind, sender=sender, recipient=recipient_party, subject=subject,
        dossier_code=dossier_code, metadata=metadata, sent_at=now, documents=files,
    )  # fmt: skip
    token, message_id, kid, pem = wire.sign(typ=wire.PACKAGE, claims=claims, audience=recipient_instance, now=now)
    package = ExchangePackage.objects.create(
        package_id=package_id, direction=Direction.OUTGOING, agency=sender_agency,
        sender_identifier=sender_agency.identifier, sender_name=sender_agency.name, sender_instance=own,
        recipient_identifier=recipient_identifier, recipient_name=recipient_name,
        recipient_instance=recipient_instance, kind=kind, subject=subject, dossier_code=dossier_code,
        metadata=metadata, status=PackageStatus.SENT, token=token, token_sha256=wire.sha256_hex(token),
        message_id=message_id, signer_kid=kid, signer_public_pem=pem, sent_by=sent_by, created_at=now, sent_at=now,
    )  # fmt: skip
    _save_documents(package, files)
    _append_event(package, action=EventAction.SENT, at=now, actor=sent_by, instance=own, token=token)
    events.enqueue(
        handler=DELIVER_PACKAGE, payload={"package": package.pk}, key=f"package:{package.package_id}", now=now
    )
    return package


def _read_documents(documents) -> list[tuple[str, str, bytes]]:
    files: list[tuple[str, str, bytes]] = []
    for document in documents:
        if isinstance(document, StoredDocument):
            with document.file.open("rb") as handle:
                files.append((document.original_name, document.content_type, handle.read()))
        elif isinstance(document, OutgoingDocument):
            files.append((document.name, document.media_type, document.content))
        else:
            name, media_type, content = document
            files.append((name, media_type, bytes(content)))
    if not files:
        raise ExchangeError(_("Gói tin cần ít nhất một tệp đính kèm."), errors={"documents": _("Cần tệp đính kèm.")})
    if len(files) > wire.MAX_DOCUMENTS:
        raise ExchangeError(_("Một gói tin có tối đa %(count)s tệp.") % {"count": wire.MAX_DOCUMENTS})
    for name, media_type, content in files:
        try:
            wire.WireDocument(name=name, media_type=media_type, size=len(content), sha256="0" * 64, content="")
        except ValueError:
            raise ExchangeError(
                _("Tệp “%(name)s” rỗng, hoặc tên hay định dạng của tệp không hợp lệ.") % {"name": name[:100]},
                errors={"documents": _("Tệp không hợp lệ.")},
            ) from None
    if sum(len(content) for _name, _type, content in files) > _max_package_bytes():
        raise ExchangeError(
            _("Các tệp của gói tin lớn quá %(limit)s MB.") % {"limit": _max_package_bytes() // (1024 * 1024)},
            code="too_large", status=413,
        )  # fmt: skip
    return files


def _save_documents(package: ExchangePackage, files: list[tuple[str, str, bytes]]) -> None:
    # Files are not transactional: a rolled-back package can leave its files behind (never the other way round).
    for position, (name, media_type, content) in enumerate(files, start=1):
        document = PackageDocument(
            package=package, position=position, name=name, media_type=media_type, size=len(content),
            sha256=wire.sha256_hex(content),
        )  # fmt: skip
        document.file.save("document", ContentFile(content), save=False)
        document.save()


def _append_event(
    package: ExchangePackage,
    *,
    action: str,
    at: dt.datetime,
    instance: str,
    actor=None,
    note: str = "",
    token: str = "",
) -> PackageEvent:
    """Append to the package's log (the caller holds the package's row, or has just created it)."""
    last = package.events.aggregate(last=Max("seq"))["last"] or 0
    return PackageEvent.objects.create(
        package=package, seq=last + 1, at=at, action=action, status=package.status, actor=actor,
        actor_instance=instance, note=note[:2000], token=token,
    )  # fmt: skip


def _lock(**lookup) -> ExchangePackage | None:
    """One package's row (one per package id and direction), locked through the one lock helper; None if none."""
    try:
        return lock_one(ExchangePackage, **lookup)
    except ExchangePackage.DoesNotExist:
        return None


# ----- delivering (the outbox handler's side) -------------------------------------------------------------------


def deliver_package(*, package_pk: int) -> None:
    """One delivery attempt of an outgoing package; raises DeliveryFailed (recorded) for the outbox to retry."""
    package = ExchangePackage.objects.filter(pk=package_pk, direction=Direction.OUTGOING).first()
    if package is None or package.status != PackageStatus.SENT:
        return  # delivered by an earlier attempt
    ExchangePackage.objects.filter(pk=package_pk).update(attempts=F("attempts") + 1)
    try:
        receipt = _post_package(package)
        if receipt is None:  # the receiver found it too old: signed again, tried once more
            package = resign_package(package_pk=package_pk)
            receipt = _post_package(package)
            if receipt is None:
                raise DeliveryFailed("the receiver refuses the package as stale even after it was signed again")
        record_receipt(package_pk=package_pk, token=receipt)
    except (DeliveryFailed, ReceiptInvalid) as exc:
        record_delivery_failure(package_pk=package_pk, error=str(exc))
        raise DeliveryFailed(str(exc)) from exc


def _post_package(package: ExchangePackage) -> str | None:
    """The receipt token, or None when the receiver refused the package as stale."""
    if package.recipient_instance == settings.MOTCUA_INSTANCE_CODE:
        try:
            return receive_package(token=package.token).token
        except MessageRefusedError as refused:
            if refused.receipt:
                return refused.receipt
            if refused.reason == "stale":
                return None
            raise DeliveryFailed(f"{refused.code}: {refused.message}") from refused
    peer = PeerInstance.objects.filter(code=package.recipient_instance, is_active=True).first()
    if peer is None or not peer.url:
        raise DeliveryFailed(f"the instance {package.recipient_instance} is not registered with an address")
    answer = transport.post(peer.url, wire.PACKAGES_PATH, package.token)
    if answer.status == 200 and isinstance(answer.body.get("receipt"), str):
        return answer.body["receipt"]
    if answer.status == 409 and isinstance(answer.body.get("receipt"), str):
        return answer.body["receipt"]  # received before; the answer was lost
    if answer.error_code == "stale":
        return None
    raise DeliveryFailed(f"HTTP {answer.status} {answer.error_code}: {answer.error_message}"[:2000])


@transaction.atomic
def resign_package(*, package_pk: int, now: dt.datetime | None = None) -> ExchangePackage:
    """Sign the same package again, with a new signing time (it waited longer than a receiver accepts). Only a
    package no receiver has acknowledged is signed again, so a receipt always names the token it acknowledges."""
    now = now or timezone.now()
    package = _lock(pk=package_pk, direction=Direction.OUTGOING, status=PackageStatus.SENT)
    if package is None:
        raise DeliveryFailed("the package is no longer waiting to be sent")
    claims = {"package": json.loads(base64url_decode(package.token.split(".")[1]))["package"]}
    token, message_id, kid, pem = wire.sign(
        typ=wire.PACKAGE, claims=claims, audience=package.recipient_instance, now=now
    )
    package.token, package.token_sha256, package.message_id = token, wire.sha256_hex(token), message_id
    package.signer_kid, package.signer_public_pem = kid, pem
    package.save(update_fields=["token", "token_sha256", "message_id", "signer_kid", "signer_public_pem"])
    _append_event(package, action=EventAction.RESIGNED, at=now, instance=settings.MOTCUA_INSTANCE_CODE, token=token)
    return package


@transaction.atomic
def record_delivery_failure(*, package_pk: int, error: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    package = _lock(pk=package_pk)
    if package is None:
        return
    package.last_error = error[:2000]
    package.save(update_fields=["last_error"])
    _append_event(
        package, action=EventAction.DELIVERY_FAILED, at=now, instance=settings.MOTCUA_INSTANCE_CODE, note=error
    )


@transaction.atomic
def record_receipt(*, package_pk: int, token: str, now: dt.datetime | None = None) -> PackageReceipt:
    """Lưu biên nhận: verify the receipt the receiving instance signed for this package (its key, the package id,
    the SHA-256 of the exact token sent) and mark the package delivered, then received (or returned)."""
    now = now or timezone.now()
    token = token.strip()
    package = _lock(pk=package_pk, direction=Direction.OUTGOING)
    if package is None:
        raise ReceiptInvalid("no such outgoing package")
    existing = PackageReceipt.objects.filter(package=package).first()
    if existing is not None:
        return existing
    try:
        opened, receipt = wire.open_receipt(token, now=now)
    except MessageRefused as refused:
        raise ReceiptInvalid(f"the receipt does not verify: {refused}") from refused
    if opened.issuer != package.recipient_instance:
        raise ReceiptInvalid(f"the receipt is signed by {opened.issuer}, not {package.recipient_instance}")
    if receipt.package_id != package.package_id or receipt.package_sha256 != package.token_sha256:
        raise ReceiptInvalid("the receipt acknowledges another package, or another token of it")
    if receipt.recipient.identifier != package.recipient_identifier:
        raise ReceiptInvalid("the receipt names another recipient agency")
    stored = PackageReceipt.objects.create(
        package=package, receipt_id=opened.message_id, receiving_instance=opened.issuer,
        received_at=receipt.received_at, package_sha256=receipt.package_sha256, outcome=receipt.outcome,
        reason=receipt.reason, token=token, token_sha256=wire.sha256_hex(token), signer_kid=opened.kid,
        signer_public_pem=wire.signer_public_pem(opened, now=now), stored_at=now,
    )  # fmt: skip
    package.status, package.delivered_at, package.last_error = PackageStatus.DELIVERED, now, ""
    package.recipient_name = package.recipient_name or receipt.recipient.name[:255]
    package.save(update_fields=["status", "delivered_at", "last_error", "recipient_name"])
    _append_event(package, action=EventAction.DELIVERED, at=now, instance=opened.issuer)
    if receipt.outcome == ReceiptOutcome.RETURNED:
        package.status, package.returned_at = PackageStatus.RETURNED, receipt.received_at
        package.return_reason = receipt.reason or _("Bên nhận trả lại gói tin.")
        package.save(update_fields=["status", "returned_at", "return_reason"])
        _append_event(
            package, action=EventAction.RETURNED, at=now, instance=opened.issuer,
            note=package.return_reason, token=token,
        )  # fmt: skip
    else:
        package.status, package.received_at = PackageStatus.RECEIVED, receipt.received_at
        package.save(update_fields=["status", "received_at"])
        _append_event(package, action=EventAction.RECEIVED, at=now, instance=opened.issuer, token=token)
    return stored


# ----- receiving ------------------------------------------------------------------------------------------------


def receive_package(*, token: str, remote_addr: str | None = None, now: dt.datetime | None = None) -> IssuedReceipt:
    """Nhận gói tin: verify a package addressed to this instance (the sender's registered key, audience, freshness,
    each document's SHA-256), keep it and answer with the signed receipt. Raises MessageRefusedError after recording
    the refusal: a tampered, forged, misaddressed, stale or replayed package is never kept."""
    now = now or timezone.now()
    token = token.strip()
    digest = wire.sha256_hex(token)
    try:
        opened, package, contents = wire.open_package(token, now=now)
    except MessageRefused as refused:
        _record_refusal(MessageKind.PACKAGE, refused, digest=digest, remote_addr=remote_addr, now=now, token=token)
        raise MessageRefusedError(refused.reason) from refused
    try:
        return _store_incoming(opened, package, contents, token=token, digest=digest, remote_addr=remote_addr, now=now)
    except IntegrityError:
        if not ExchangePackage.objects.filter(package_id=package.id, direction=Direction.INCOMING).exists():
            raise
    except MessageRefusedError as refused:
        if refused.reason != "replay":
            raise
    held = PackageReceipt.objects.filter(package__package_id=package.id, package__direction=Direction.INCOMING).first()
    _record_refusal(
        MessageKind.PACKAGE, MessageRefused("replay", f"package {package.id} again"), digest=digest,
        remote_addr=remote_addr, now=now, token=token,
    )  # fmt: skip
    raise MessageRefusedError("replay", receipt=held.token if held else "")


@transaction.atomic
def _store_incoming(opened, package: wire.WirePackage, contents: list[bytes], *, token, digest, remote_addr, now):
    if ExchangePackage.objects.filter(package_id=package.id, direction=Direction.INCOMING).exists():
        raise MessageRefusedError("replay")
    own = settings.MOTCUA_INSTANCE_CODE
    agency = Agency.objects.filter(identifier=package.recipient.identifier, is_active=True).first()
    outcome, reason = ReceiptOutcome.RECEIVED, ""
    if agency is None:  # signed and sound, but for nobody here: returned with a signed reason, not refused
        outcome = ReceiptOutcome.RETURNED
        reason = _("Không có cơ quan nhận %(identifier)s trên hệ thống %(instance)s.") % {
            "identifier": package.recipient.identifier, "instance": own,
        }  # fmt: skip
    incoming = ExchangePackage.objects.create(
        package_id=package.id, direction=Direction.INCOMING, agency=agency,
        sender_identifier=package.sender.identifier, sender_name=package.sender.name,
        sender_instance=package.sender.instance, recipient_identifier=package.recipient.identifier,
        recipient_name=agency.name if agency else package.recipient.name, recipient_instance=own,
        kind=package.kind, subject=package.subject, dossier_code=package.dossier_code, metadata=package.metadata,
        status=PackageStatus.RECEIVED if agency else PackageStatus.RETURNED, token=token, token_sha256=digest,
        message_id=opened.message_id, signer_kid=opened.kid, signer_public_pem=wire.signer_public_pem(opened, now=now),
        created_at=now, sent_at=package.sent_at, delivered_at=now, received_at=now,
        returned_at=None if agency else now, return_reason=reason, remote_addr=remote_addr,
    )  # fmt: skip
    _save_documents(incoming, [(d.name, d.media_type, c) for d, c in zip(package.documents, contents, strict=True)])
    recipient = {"identifier": package.recipient.identifier, "name": incoming.recipient_name, "instance": own}
    claims = wire.receipt_claims(
        package_id=package.id, package_sha256=digest, recipient=recipient, outcome=outcome, reason=reason,
        received_at=now,
    )  # fmt: skip
    receipt, receipt_id, kid, pem = wire.sign(typ=wire.RECEIPT, claims=claims, audience=opened.issuer, now=now)
    PackageReceipt.objects.create(
        package=incoming, receipt_id=receipt_id, receiving_instance=own, received_at=now, package_sha256=digest,
        outcome=outcome, reason=reason, token=receipt, token_sha256=wire.sha256_hex(receipt), signer_kid=kid,
        signer_public_pem=pem, stored_at=now,
    )  # fmt: skip
    action = EventAction.RECEIVED if agency else EventAction.RETURNED
    _append_event(incoming, action=action, at=now, instance=own, note=reason, token=receipt)
    IncomingAttempt.objects.create(
        kind=MessageKind.PACKAGE, received_at=now, remote_addr=remote_addr, outcome=AttemptOutcome.ACCEPTED,
        claimed_issuer=opened.issuer, claimed_package_id=str(package.id), message_id=opened.message_id,
        token_sha256=digest, package=incoming,
    )  # fmt: skip
    return IssuedReceipt(token=receipt, outcome=outcome, package_id=package.id, reason=reason)


@transaction.atomic
def _record_refusal(
    kind: str, refused: MessageRefused, *, digest: str, remote_addr: str | None, now: dt.datetime, token: str
) -> IncomingAttempt:
    said = wire.claimed(token)
    logger.warning("exchange message refused", extra={"reason": refused.reason, "issuer": said["issuer"], "kind": kind})
    return IncomingAttempt.objects.create(
        kind=kind, received_at=now, remote_addr=remote_addr, outcome=AttemptOutcome.REFUSED, reason=refused.reason,
        detail=refused.detail[:2000], claimed_issuer=said["issuer"], claimed_package_id=said["package_id"],
        token_sha256=digest,
    )  # fmt: skip


# ----- after receipt: processed or returned, reported back to the sender ----------------------------------------


def _incoming_for_officer(package_id, officer) -> ExchangePackage:
    package = _lock(package_id=package_id, direction=Direction.INCOMING)
    if package is None or package.agency_id is None or package.agency_id not in officer_roles(officer):
        raise ExchangeError(_("Không tìm thấy gói tin."), code="not_found", status=404)
    if package.status != PackageStatus.RECEIVED:
        raise ExchangeError(
            _("Gói tin đang ở tình trạng “%(status)s”, không xử lý hay trả lại được nữa.")
            % {"status": package.get_status_display()},
            code="wrong_state", status=409,
        )  # fmt: skip
    return package


@transaction.atomic
def mark_processed(*, package_id, officer, note: str = "", now: dt.datetime | None = None) -> ExchangePackage:
    """Xử lý xong: the receiving agency has dealt with the package; the sender is told (signed status)."""
    now = now or timezone.now()
    package = _incoming_for_officer(package_id, officer)
    package.status, package.processed_at = PackageStatus.PROCESSED, now
    package.save(update_fields=["status", "processed_at"])
    _report_status(package, action=EventAction.PROCESSED, officer=officer, reason="", note=note.strip(), now=now)
    return package


@transaction.atomic
def return_package(*, package_id, officer, reason: str, now: dt.datetime | None = None) -> ExchangePackage:
    """Trả lại: the receiving agency sends the package back with a reason; the sender is told (signed status)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ExchangeError(_("Cần ghi lý do trả lại."), errors={"reason": _("Cần ghi lý do trả lại.")})
    package = _incoming_for_officer(package_id, officer)
    package.status, package.returned_at, package.return_reason = PackageStatus.RETURNED, now, reason[:2000]
    package.save(update_fields=["status", "returned_at", "return_reason"])
    _report_status(package, action=EventAction.RETURNED, officer=officer, reason=reason, note="", now=now)
    return package


def _report_status(package: ExchangePackage, *, action: str, officer, reason: str, note: str, now: dt.datetime):
    claims = wire.status_claims(
        package_id=package.package_id, package_sha256=package.token_sha256, status=package.status, reason=reason,
        note=note, at=now, agency=package.recipient_identifier, officer=str(officer)[:255],
    )  # fmt: skip
    token, _id, _kid, _pem = wire.sign(typ=wire.STATUS, claims=claims, audience=package.sender_instance, now=now)
    event = _append_event(
        package, action=action, at=now, actor=officer, instance=settings.MOTCUA_INSTANCE_CODE,
        note=reason or note, token=token,
    )  # fmt: skip
    events.enqueue(handler=DELIVER_STATUS, payload={"event": event.pk}, key=f"status:{event.pk}", now=now)


def deliver_status(*, event_pk: int) -> None:
    """Tell the sender of an incoming package its new status; raises DeliveryFailed for the outbox to retry."""
    event = PackageEvent.objects.select_related("package").filter(pk=event_pk).first()
    if event is None or event.package.status_reported_at is not None:
        return
    package = event.package
    try:
        if package.sender_instance == settings.MOTCUA_INSTANCE_CODE:
            try:
                receive_status(token=event.token)
            except MessageRefusedError as refused:
                if refused.reason != "replay":
                    raise DeliveryFailed(f"{refused.code}: {refused.message}") from refused
        else:
            peer = PeerInstance.objects.filter(code=package.sender_instance, is_active=True).first()
            if peer is None or not peer.url:
                raise DeliveryFailed(f"the instance {package.sender_instance} is not registered with an address")
            answer = transport.post(peer.url, wire.STATUSES_PATH, event.token)
            if answer.status != 200 and answer.error_code != "replay":
                raise DeliveryFailed(f"HTTP {answer.status} {answer.error_code}: {answer.error_message}"[:2000])
    except DeliveryFailed as exc:
        ExchangePackage.objects.filter(pk=package.pk).update(last_error=str(exc)[:2000])
        raise
    ExchangePackage.objects.filter(pk=package.pk).update(status_reported_at=timezone.now(), last_error="")


def receive_status(*, token: str, remote_addr: str | None = None, now: dt.datetime | None = None) -> ExchangePackage:
    """Nhận thông báo tình trạng: the receiving instance reports a package this instance sent processed or
    returned. Raises MessageRefusedError (recorded) when it does not verify or does not fit the package."""
    now = now or timezone.now()
    token = token.strip()
    digest = wire.sha256_hex(token)
    try:
        opened, status = wire.open_status(token, now=now)
        if IncomingAttempt.objects.filter(message_id=opened.message_id).exists():
            raise MessageRefused("replay", f"status {opened.message_id} again")
        return _apply_status(opened, status, token=token, digest=digest, remote_addr=remote_addr, now=now)
    except MessageRefused as refused:
        _record_refusal(MessageKind.STATUS, refused, digest=digest, remote_addr=remote_addr, now=now, token=token)
        raise MessageRefusedError(refused.reason) from refused
    except IntegrityError:  # the same status arrived twice at once: the other one won
        refused = MessageRefused("replay", "status received twice at once")
        _record_refusal(MessageKind.STATUS, refused, digest=digest, remote_addr=remote_addr, now=now, token=token)
        raise MessageRefusedError("replay") from None


@transaction.atomic
def _apply_status(opened, status: wire.WireStatus, *, token, digest, remote_addr, now) -> ExchangePackage:
    package = _lock(package_id=status.id, direction=Direction.OUTGOING, recipient_instance=opened.issuer)
    if package is None or package.token_sha256 != status.package_sha256:
        raise MessageRefused("unknown_package", f"{status.id} was not sent from here to {opened.issuer}")
    if package.status != PackageStatus.RECEIVED:
        raise MessageRefused("wrong_state", f"the package is {package.status}")
    if status.status == PackageStatus.PROCESSED:
        package.status, package.processed_at = PackageStatus.PROCESSED, status.at
        action, note = EventAction.PROCESSED, status.note
    else:
        package.status, package.returned_at, package.return_reason = PackageStatus.RETURNED, status.at, status.reason
        action, note = EventAction.RETURNED, status.reason
    if status.officer:  # the officer is the other instance's user: named in the note, not as a local actor
        note = f"{status.officer} ({status.agency}): {note}" if note else f"{status.officer} ({status.agency})"
    package.save(update_fields=["status", "processed_at", "returned_at", "return_reason"])
    _append_event(package, action=action, at=now, instance=opened.issuer, note=note, token=token)
    events.publish(event=PACKAGE_SETTLED, payload={"package": package.pk}, key=str(package.package_id), now=now)
    IncomingAttempt.objects.create(
        kind=MessageKind.STATUS, received_at=now, remote_addr=remote_addr, outcome=AttemptOutcome.ACCEPTED,
        claimed_issuer=opened.issuer, claimed_package_id=str(status.id), message_id=opened.message_id,
        token_sha256=digest, package=package,
    )  # fmt: skip
    return package
