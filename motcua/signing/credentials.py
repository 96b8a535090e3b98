"""Issued results as W3C Verifiable Credentials (VC Data Model 2.0, secured as a JWT: `application/vc+jwt`).

A holder can present their result outside motcua: the credential is signed by the issuing agency's own key (the
one that signs its PDFs, wherever it lives: PKCS#12 file or PKCS#11 token) with ES256 or RS256, and carries the
agency's certificate chain in `x5c`, so anyone can check it against the national root without asking us. The
verification page also accepts one, and adds what only we know: whether the result was revoked since.

The JWS compact form is three base64url parts; it is built here rather than by a JOSE library because the key may
sit in a hardware token that only signs through pyHanko's signer interface.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from motcua.signing import pki, queries
from motcua.signing.models import IssuedResult

MEDIA_TYPE = "application/vc+jwt"
CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "MotcuaElectronicResult"
MAX_TOKEN_LENGTH = 200_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def credential_payload(result: IssuedResult) -> dict:
    """The credential itself: who issued what to whom, when, and where its status is published."""
    data = result.data
    agency = result.agency
    return {
        "@context": [CONTEXT],
        "id": f"urn:uuid:{result.pk}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": f"{settings.MOTCUA_SITE_URL}/agencies/{agency.identifier}/", "name": agency.name},
        "validFrom": result.issued_at.isoformat(),
        "credentialSubject": {
            "name": data.get("applicant_name", ""),
            "result": {
                "name": data.get("result_name", ""),
                "procedure_code": data.get("procedure_code", ""),
                "procedure_name": data.get("procedure_name", ""),
                "dossier_code": data.get("dossier_code", ""),
                "data": data.get("form_data", {}),
                "document_sha256": result.document.sha256,
            },
        },
        "credentialStatus": {
            "id": f"{settings.MOTCUA_SITE_URL}/verify/{result.pk}.json",
            "type": "MotcuaResultStatus",
        },
    }


def _algorithm(public_key) -> str:
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1":
        return "ES256"
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RS256"
    raise pki.SigningKeyError("The agency's key is neither ECDSA P-256 nor RSA: it cannot sign a JWT credential.")


def issue_credential(result: IssuedResult) -> str:
    """The result as a signed `vc+jwt` (compact JWS) under its agency's key. Raises SigningKeyError."""
    signer = pki.agency_signer(result.agency)
    leaf = x509.load_der_x509_certificate(signer.signing_cert.dump())
    algorithm = _algorithm(leaf.public_key())
    chain = [signer.signing_cert.dump()]
    chain += [cert.dump() for cert in signer.cert_registry if cert.dump() != chain[0]]
    header = {"alg": algorithm, "typ": "vc+jwt", "cty": "vc", "x5c": [base64.b64encode(der).decode() for der in chain]}
    signing_input = f"{_b64(_json(header))}.{_b64(_json(credential_payload(result)))}".encode("ascii")
    signature = pki.run_coroutine(signer.async_sign_raw(signing_input, "sha256"))
    if algorithm == "ES256":  # pyHanko gives DER; JWS wants r || s, 32 bytes each
        r, s = decode_dss_signature(signature)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input.decode('ascii')}.{_b64(signature)}"


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


@dataclass
class CredentialCheck:
    """The outcome of checking a presented credential; `problems` is empty when it is genuine and in force."""

    valid_signature: bool = False
    trusted_issuer: bool = False
    payload: dict = field(default_factory=dict)
    issuer_subject: str = ""
    status: str = ""  # the result's status with us: valid / revoked / replaced / unknown
    result: IssuedResult | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.valid_signature and self.trusted_issuer and self.status == "valid" and not self.problems


def verify_credential(token: str) -> CredentialCheck:
    """Check a `vc+jwt`: its form, its signature by the certificate in x5c, that certificate's chain to our trust
    roots and its agency, and the result's status here. Never raises on bad input: says what is wrong."""
    check = CredentialCheck()
    token = "".join((token or "").split())
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3:
        check.problems.append(_("Đây không phải một chứng nhận điện tử (JWT) hợp lệ."))
        return check
    try:
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
        chain = [base64.b64decode(item) for item in header.get("x5c", [])]
        leaf = x509.load_der_x509_certificate(chain[0])
    except (ValueError, TypeError, IndexError, AttributeError):
        check.problems.append(_("Đây không phải một chứng nhận điện tử (JWT) hợp lệ."))
        return check
    check.payload = payload if isinstance(payload, dict) else {}
    check.issuer_subject = leaf.subject.rfc4514_string()
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    check.valid_signature = _signature_holds(header.get("alg"), leaf.public_key(), signing_input, signature)
    if not check.valid_signature:
        check.problems.append(_("Chữ ký số không khớp với nội dung: chứng nhận đã bị sửa hoặc không do cơ quan ký."))
    check.trusted_issuer = _chain_trusted(chain)
    if not check.trusted_issuer:
        check.problems.append(
            _("Chứng thư số của bên ký không thuộc tổ chức cung cấp dịch vụ chứng thực được tin cậy.")
        )
    _compare_with_our_record(check, leaf)
    return check


def _signature_holds(algorithm, public_key, signing_input: bytes, signature: bytes) -> bool:
    try:
        if algorithm == "ES256" and isinstance(public_key, ec.EllipticCurvePublicKey) and len(signature) == 64:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        if algorithm == "RS256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False  # "none", HS256 or anything else: never accepted


def _chain_trusted(chain: list[bytes]) -> bool:
    roots = pki.trust_roots()
    if not roots:
        return False
    try:
        certs = [asn1_x509.Certificate.load(der) for der in chain]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        validator = CertificateValidator(certs[0], intermediate_certs=certs[1:], validation_context=context)
        pki.run_coroutine(validator.async_validate_usage({"digital_signature"}))
    except Exception:  # noqa: BLE001 — any failure of path building or validation means "not trusted"
        return False
    return True


def _compare_with_our_record(check: CredentialCheck, leaf: x509.Certificate) -> None:
    """The credential names one of our results: it must be that result, signed for that agency, and in force."""
    credential_id = str(check.payload.get("id", ""))
    result = queries.get_result(credential_id.removeprefix("urn:uuid:")) if credential_id.startswith("urn:") else None
    if result is None:
        check.status = "unknown"
        check.problems.append(_("Không tìm thấy kết quả điện tử này trong hệ thống."))
        return
    check.result = result
    check.status = queries.status_of(result)
    ids = [attr.value for attr in leaf.subject.get_attributes_for_oid(x509.NameOID.USER_ID)]
    if result.agency.identifier not in ids:
        check.problems.append(_("Chứng nhận không được ký bằng khóa của cơ quan đã cấp kết quả."))
    if check.payload != credential_payload(result):
        check.problems.append(_("Nội dung chứng nhận khác với kết quả đã cấp."))
    if check.status != "valid":
        check.problems.append(_("Kết quả điện tử này đã bị thu hồi hoặc đã được cấp lại."))
