"""The evidence file (hồ sơ chứng cứ) of one package: a ZIP that a court, an inspector or the other party can check
without motcua — the package token as signed, the receipt token as signed, each document, both instances' public
keys, every event of the package, and a README in Vietnamese saying how to verify it with openssl or any JOSE
library. `verify_evidence` runs the same checks.

What proves what: the package token is signed by the sending instance and carries each document's SHA-256; the
receipt is signed by the receiving instance and names the SHA-256 of the exact package token it received, and when.
The event log is this instance's own record; the manifest that lists every file's SHA-256 is signed by the
exporting instance, so nothing in the file can change unnoticed after export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings
from django.utils import timezone
from jwcrypto import jwk, jws
from jwcrypto.common import JWException, base64url_decode

from motcua.exchange import wire
from motcua.exchange.errors import EvidenceInvalid
from motcua.exchange.models import ExchangePackage
from motcua.sync import keys

EVIDENCE = "motcua-exchange-evidence+jws"
PACKAGE_FILE = "goi-tin.jws"
RECEIPT_FILE = "bien-nhan.jws"
SENDER_KEY = "khoa/ben-gui.pem"
RECEIVER_KEY = "khoa/ben-nhan.pem"
EXPORTER_KEY = "khoa/he-thong-xuat.pem"
EVENTS_FILE = "nhat-ky.json"
SUMS_FILE = "SHA256SUMS"
MANIFEST_FILE = "manifest.jws"
README_FILE = "README.txt"
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


def _find(package_id, direction: str | None) -> ExchangePackage:
    packages = ExchangePackage.objects.filter(package_id=package_id)
    if direction:
        packages = packages.filter(direction=direction)
    package = (
        packages.select_related("receipt").prefetch_related("documents", "events__actor").order_by("-direction").first()
    )
    if package is None:
        raise ExchangePackage.DoesNotExist(package_id)
    return package


def _document_path(position: int, name: str) -> str:
    return f"tai-lieu/{position:02d}-{_UNSAFE.sub('_', name).strip(' .') or 'tep'}"


def _openssl_files(stem: str, token: str) -> dict[str, bytes]:
    """The signing input and the DER signature of a JWS, for `openssl dgst -verify` (JWS keeps ES256's r‖s raw)."""
    header, payload, signature = token.split(".")
    raw = base64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    return {f"openssl/{stem}.input": f"{header}.{payload}".encode("ascii"), f"openssl/{stem}.sig.der": der}


def export_evidence(*, package_id, direction: str | None = None, now: dt.datetime | None = None) -> bytes:
    """Xuất hồ sơ chứng cứ: the evidence ZIP of one package (outgoing first when this instance holds both)."""
    now = now or timezone.now()
    package = _find(package_id, direction)
    receipt = getattr(package, "receipt", None)
    files: dict[str, bytes] = {PACKAGE_FILE: package.token.encode("ascii")}
    files.update(_openssl_files("goi-tin", package.token))
    files[SENDER_KEY] = package.signer_public_pem.encode()
    if receipt is not None:
        files[RECEIPT_FILE] = receipt.token.encode("ascii")
        files.update(_openssl_files("bien-nhan", receipt.token))
        files[RECEIVER_KEY] = receipt.signer_public_pem.encode()
    documents = []
    for document in package.documents.all():
        path = _document_path(document.position, document.name)
        with document.file.open("rb") as handle:
            files[path] = handle.read()
        documents.append({"file": path, "name": document.name, "media_type": document.media_type,
                          "size": document.size, "sha256": document.sha256})  # fmt: skip
    statuses = []
    events = []
    for event in package.events.all():
        entry = {
            "seq": event.seq, "at": event.at.isoformat(), "action": event.action,
            "action_label": str(event.get_action_display()), "status": event.status,
            "actor": str(event.actor) if event.actor else "", "actor_instance": event.actor_instance,
            "note": event.note,
        }  # fmt: skip
        if event.token and event.token not in (package.token, receipt.token if receipt else None):
            stem = f"thong-bao/{event.seq:03d}-{event.action}"
            files[f"{stem}.jws"] = event.token.encode("ascii")
            entry["token_file"] = f"{stem}.jws"
            statuses.append(f"{stem}.jws")
        events.append(entry)
    files[EVENTS_FILE] = json.dumps(events, ensure_ascii=False, indent=2).encode()
    exporter = keys.instance_key()
    files[EXPORTER_KEY] = keys.public_pem(exporter).encode()
    summary = {
        "package_id": str(package.package_id), "direction": package.direction, "kind": package.kind,
        "subject": package.subject, "dossier_code": package.dossier_code,
        "sender": {"identifier": package.sender_identifier, "name": package.sender_name,
                   "instance": package.sender_instance, "kid": package.signer_kid},
        "recipient": {"identifier": package.recipient_identifier, "name": package.recipient_name,
                      "instance": package.recipient_instance, "kid": receipt.signer_kid if receipt else ""},
        "status": package.status, "sent_at": package.sent_at.isoformat(),
        "received_at": receipt.received_at.isoformat() if receipt else None,
        "receipt_outcome": receipt.outcome if receipt else None,
        "package_sha256": package.token_sha256, "documents": documents, "status_messages": statuses,
    }  # fmt: skip
    files[README_FILE] = _readme(summary, now=now).encode()
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    files[SUMS_FILE] = _sums_text(digests)
    manifest, _id, _kid, _pem = wire.sign(
        typ=EVIDENCE, claims={"evidence": {**summary, "exported_at": now.isoformat(), "files": digests}},
        audience="evidence", now=now,
    )  # fmt: skip
    files[MANIFEST_FILE] = manifest.encode("ascii")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [README_FILE, *sorted(set(files) - {README_FILE})]:
            info = zipfile.ZipInfo(f"{package.package_id}/{name}", date_time=now.astimezone(dt.UTC).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _sums_text(digests: dict[str, str]) -> bytes:
    return "".join(f"{digest}  {name}\n" for name, digest in digests.items()).encode()


def _described(name: str, first: str, *more: str) -> list[str]:
    return [f"{name:<24}{first}", *(f"{'':<24}{line}" for line in more)]


def _when(value: str | None) -> str:
    if not value:
        return "chưa có biên nhận"
    moment = timezone.localtime(dt.datetime.fromisoformat(value))
    return f"{moment:%d/%m/%Y %H:%M:%S} (giờ Việt Nam, {moment:%z}); {value}"


def _readme(summary: dict, *, now: dt.datetime) -> str:
    tz_now = timezone.localtime(now)
    lines = [
        "HỒ SƠ CHỨNG CỨ GÓI TIN LIÊN THÔNG",
        "=================================",
        "",
        f"Mã gói tin: {summary['package_id']}",
        f"Trích yếu: {summary['subject']}",
        f"Cơ quan gửi: {summary['sender']['name']} ({summary['sender']['identifier']}), "
        f"hệ thống {summary['sender']['instance']}",
        f"Cơ quan nhận: {summary['recipient']['name']} ({summary['recipient']['identifier']}), "
        f"hệ thống {summary['recipient']['instance']}",
        f"Gửi lúc: {_when(summary['sent_at'])}",
        f"Nhận lúc (theo biên nhận): {_when(summary['received_at'])}",
        f"SHA-256 của gói tin: {summary['package_sha256']}",
        f"Tệp này do hệ thống {settings.MOTCUA_INSTANCE_CODE} xuất lúc {tz_now:%d/%m/%Y %H:%M:%S %z}.",
        "",
        "NỘI DUNG",
        "--------",
        *_described(
            PACKAGE_FILE,
            "Gói tin đúng như đã ký và gửi đi (JWS dạng compact, RFC 7515, thuật toán ES256).",
            "Phần giữa (payload, mã hóa base64url) là JSON: cơ quan gửi, cơ quan nhận, trích yếu,",
            "thông tin kèm theo, và mỗi tệp đính kèm với tên, định dạng, kích thước, SHA-256",
            "và nội dung (base64).",
        ),
        *_described(
            RECEIPT_FILE,
            "Biên nhận do hệ thống nhận ký: mã gói tin, SHA-256 của đúng gói tin đã nhận",
            "(package_sha256), kết quả (received: đã nhận / returned: trả lại, kèm lý do)",
            "và thời điểm nhận (received_at).",
        ),
        *_described("tai-lieu/", "Các tệp đính kèm, đúng từng byte như trong gói tin."),
        *_described(SENDER_KEY, "Khóa công khai (EC P-256, PEM) của hệ thống gửi, khóa đã ký gói tin."),
        *_described(RECEIVER_KEY, "Khóa công khai của hệ thống nhận, khóa đã ký biên nhận."),
        *_described(EXPORTER_KEY, f"Khóa công khai của hệ thống đã xuất tệp này (khóa ký {MANIFEST_FILE})."),
        *_described(
            EVENTS_FILE, "Nhật ký của gói tin trên hệ thống xuất: mọi lần đổi tình trạng", "(ai, lúc nào, việc gì)."
        ),
        *_described("thong-bao/", "Các thông báo tình trạng đã ký (xử lý xong, trả lại), nếu có."),
        *_described(
            "openssl/", "Phần được ký (.input) và chữ ký dạng DER (.sig.der) của mỗi JWS,", "để kiểm tra bằng openssl."
        ),
        *_described(SUMS_FILE, "SHA-256 của mọi tệp trên."),
        *_described(MANIFEST_FILE, "Danh sách SHA-256 của mọi tệp, do hệ thống xuất ký (JWS, ES256)."),
        "",
        "CÁCH KIỂM TRA",
        "-------------",
        "1. Các tệp không bị thay đổi sau khi xuất (trong thư mục đã giải nén):",
        f"       sha256sum -c {SUMS_FILE}",
        "",
        "2. Chữ ký của gói tin và của biên nhận (mỗi lệnh phải in 'Verified OK'):",
        f"       openssl dgst -sha256 -verify {SENDER_KEY} -signature openssl/goi-tin.sig.der openssl/goi-tin.input",
        f"       openssl dgst -sha256 -verify {RECEIVER_KEY} -signature openssl/bien-nhan.sig.der "
        "openssl/bien-nhan.input",
        "   Tệp .input phải đúng bằng hai phần đầu của JWS (trước dấu chấm thứ hai), ví dụ:",
        f"       cut -d. -f1,2 {PACKAGE_FILE} | tr -d '\\n' | cmp - openssl/goi-tin.input && echo giong",
        "   Tệp .sig.der là phần thứ ba của JWS (giải mã base64url: r‖s, mỗi số 32 byte) viết lại theo DER.",
        "   Cũng có thể kiểm tra trực tiếp JWS bằng bất kỳ thư viện JOSE nào (jwcrypto, jose4j, node-jose,",
        "   python-jose...) với khóa PEM tương ứng, thuật toán ES256.",
        "",
        "3. Biên nhận xác nhận đúng gói tin này: giá trị package_sha256 trong biên nhận phải bằng",
        f"       sha256sum {PACKAGE_FILE}",
        "   Xem nội dung biên nhận (phần giữa, base64url):",
        f"       python3 -c \"import sys,base64,json; p=open('{RECEIPT_FILE}').read().split('.')[1]; "
        "print(json.dumps(json.loads(base64.urlsafe_b64decode(p+'='*(-len(p)%4))),ensure_ascii=False,indent=1))\"",
        "",
        "4. Mỗi tệp trong tai-lieu/ có SHA-256 đúng bằng giá trị sha256 của tệp đó trong gói tin đã ký:",
        "       sha256sum tai-lieu/*",
        "",
        "5. Khóa công khai đúng là khóa của hai hệ thống: mã khóa (kid, trong phần đầu của mỗi JWS) là dấu vân",
        "   tay JWK (RFC 7638) của khóa; đối chiếu với khóa mà mỗi hệ thống công bố hoặc đã đăng ký với nhau.",
        f"   Mã khóa hệ thống gửi: {summary['sender']['kid']}",
        f"   Mã khóa hệ thống nhận: {summary['recipient']['kid'] or 'chưa có biên nhận'}",
        "",
        "Lưu ý: chữ ký chứng minh nội dung và nguồn gốc; thời điểm là thời điểm do hệ thống ký ghi (iat, received_at),",
        "không phải dấu thời gian của một tổ chức cung cấp dịch vụ chứng thực thời gian độc lập.",
        "",
    ]
    return "\n".join(lines)


# ----- verifying ------------------------------------------------------------------------------------------------


@dataclass
class EvidenceReport:
    """What a verified evidence file shows."""

    package_id: str
    sender_instance: str
    receiver_instance: str
    package_sha256: str
    received_at: str | None
    outcome: str | None
    documents: int
    checks: list[str] = field(default_factory=list)


def _verify_jws(token: str, pem: bytes, typ: str, what: str) -> tuple[dict, dict]:
    """(header, claims) of a JWS signed by the key in `pem`; EvidenceInvalid otherwise."""
    try:
        wire.check_canonical(token)
        key = jwk.JWK.from_pem(pem)
        parsed = jws.JWS()
        parsed.deserialize(token)
        parsed.verify(key, alg=wire.protocol.ALGORITHM)
        header, claims = parsed.jose_header, json.loads(parsed.payload)
    except (JWException, ValueError, TypeError, wire.MessageRefused) as exc:
        raise EvidenceInvalid(f"{what}: the signature does not verify ({exc})") from exc
    if header.get("typ") != typ:
        raise EvidenceInvalid(f"{what}: not a {typ}")
    if header.get("kid") != key.thumbprint():
        raise EvidenceInvalid(f"{what}: signed with key {header.get('kid')}, not the one in the file")
    return header, claims


def verify_evidence(source: bytes | str | Path) -> EvidenceReport:
    """Kiểm tra hồ sơ chứng cứ: every check the README describes; raises EvidenceInvalid naming the first that
    fails."""
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise EvidenceInvalid(f"not a readable ZIP file, or a damaged one ({exc})") from exc
    roots = {name.split("/", 1)[0] for name in entries}
    if len(roots) != 1:
        raise EvidenceInvalid("the ZIP file must hold one package's folder")
    root = roots.pop()
    files = {name[len(root) + 1 :]: content for name, content in entries.items()}
    checks: list[str] = []
    for required in (PACKAGE_FILE, SENDER_KEY, SUMS_FILE, MANIFEST_FILE, EXPORTER_KEY):
        if required not in files:
            raise EvidenceInvalid(f"{required} is missing")
    sums = {}
    for line in files[SUMS_FILE].decode("utf-8", errors="replace").split("\n")[:-1]:
        digest, _sep, name = line.partition("  ")
        sums[name] = digest
    if files[SUMS_FILE] != _sums_text(sums):
        raise EvidenceInvalid(f"{SUMS_FILE} is not in the form sha256sum writes")
    listed = set(files) - {SUMS_FILE, MANIFEST_FILE}
    if set(sums) != listed:
        raise EvidenceInvalid(f"{SUMS_FILE} does not list exactly the files of the ZIP")
    for name, digest in sums.items():
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise EvidenceInvalid(f"{name} was changed: its SHA-256 differs from {SUMS_FILE}")
    checks.append("sha256sums")
    _header, manifest = _verify_jws(files[MANIFEST_FILE].decode("ascii", "replace"), files[EXPORTER_KEY], EVIDENCE,
                                    MANIFEST_FILE)  # fmt: skip
    if manifest.get("evidence", {}).get("files") != sums:
        raise EvidenceInvalid(f"{MANIFEST_FILE} lists other digests than {SUMS_FILE}")
    checks.append("manifest")
    package_token = files[PACKAGE_FILE].decode("ascii", "replace")
    _header, claims = _verify_jws(package_token, files[SENDER_KEY], wire.PACKAGE, PACKAGE_FILE)
    package = claims.get("package") or {}
    checks.append("package_signature")
    documents = package.get("documents") or []
    for position, document in enumerate(documents, start=1):
        path = _document_path(position, str(document.get("name", "")))
        content = files.get(path)
        if content is None:
            raise EvidenceInvalid(f"{path} is missing")
        if hashlib.sha256(content).hexdigest() != document.get("sha256") or len(content) != document.get("size"):
            raise EvidenceInvalid(f"{path} differs from the document the package signed")
    checks.append("documents")
    package_sha256 = hashlib.sha256(files[PACKAGE_FILE]).hexdigest()
    report = EvidenceReport(
        package_id=str(package.get("id", "")), sender_instance=str(claims.get("iss", "")),
        receiver_instance=str(claims.get("aud", "")), package_sha256=package_sha256, received_at=None, outcome=None,
        documents=len(documents), checks=checks,
    )  # fmt: skip
    if RECEIPT_FILE in files:
        if RECEIVER_KEY not in files:
            raise EvidenceInvalid(f"{RECEIVER_KEY} is missing")
        receipt_token = files[RECEIPT_FILE].decode("ascii", "replace")
        _header, receipt_claims = _verify_jws(receipt_token, files[RECEIVER_KEY], wire.RECEIPT, RECEIPT_FILE)
        receipt = receipt_claims.get("receipt") or {}
        if receipt_claims.get("iss") != report.receiver_instance or receipt_claims.get("aud") != report.sender_instance:
            raise EvidenceInvalid("the receipt is not from the package's receiving instance to its sender")
        if receipt.get("package_id") != report.package_id or receipt.get("package_sha256") != package_sha256:
            raise EvidenceInvalid("the receipt acknowledges another package")
        report.received_at, report.outcome = receipt.get("received_at"), receipt.get("outcome")
        checks.append("receipt")
        for name in sorted(n for n in files if n.startswith("thong-bao/") and n.endswith(".jws")):
            _header, status = _verify_jws(
                files[name].decode("ascii", "replace"), files[RECEIVER_KEY], wire.STATUS, name
            )
            if (status.get("status") or {}).get("id") != report.package_id:
                raise EvidenceInvalid(f"{name} is about another package")
        checks.append("statuses")
    return report
