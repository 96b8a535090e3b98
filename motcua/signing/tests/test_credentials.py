"""An issued result as a W3C Verifiable Credential (vc+jwt): signed by the agency's key, checked by anyone, and
refused when forged, altered, unsigned, signed by a stranger or revoked."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from motcua.portal.tests.conftest import client_for
from motcua.signing import credentials
from motcua.signing.queries import result_in_force
from motcua.signing.services import revoke_result
from motcua.wallet.models import WalletDocument


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda text: text + "=" * (-len(text) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


@pytest.fixture
def result(approved):
    return result_in_force(approved)


def test_a_result_becomes_a_credential_signed_by_its_agency(world, result):
    token = credentials.issue_credential(result)
    header, payload, _signature = parts(token)
    assert (header["alg"], header["typ"]) == ("ES256", "vc+jwt")
    assert payload["type"] == ["VerifiableCredential", "MotcuaElectronicResult"]
    assert payload["id"] == f"urn:uuid:{result.pk}"
    assert payload["issuer"]["name"] == world.agency.name
    assert payload["credentialSubject"]["result"]["data"] == world.form
    check = credentials.verify_credential(token)
    assert check.ok, check.problems
    assert "H17.20.194" in check.issuer_subject


def test_an_altered_credential_is_refused(result):
    token = credentials.issue_credential(result)
    header, payload, signature = token.split(".")
    claims = parts(token)[1]
    claims["credentialSubject"]["result"]["data"]["child_name"] = "Người Khác"
    forged = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    check = credentials.verify_credential(forged)
    assert not check.ok and not check.valid_signature
    assert "Nội dung chứng nhận khác với kết quả đã cấp." in check.problems


def test_an_unsigned_credential_is_refused(result):
    token = credentials.issue_credential(result)
    header, payload, _signature = token.split(".")
    claims = parts(token)[0]
    unsigned = f"{b64(json.dumps({**claims, 'alg': 'none'}).encode())}.{payload}."
    assert not credentials.verify_credential(unsigned).valid_signature


def test_a_credential_signed_by_a_stranger_is_not_trusted(result):
    """Someone copies the credential and signs it with their own key and a certificate naming the agency."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, result.agency.name),
                      x509.NameAttribute(NameOID.USER_ID, result.agency.identifier)])  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    from cryptography.hazmat.primitives import serialization

    header = {
        "alg": "ES256",
        "typ": "vc+jwt",
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }
    payload = credentials.credential_payload(result)
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    check = credentials.verify_credential(token)
    assert check.valid_signature  # the stranger's signature is mathematically fine...
    assert not check.trusted_issuer and not check.ok  # ...but their certificate chains to no trusted root


def test_a_revoked_result_credential_is_no_longer_valid(world, result):
    token = credentials.issue_credential(result)
    revoke_result(result=result, reason="Cấp nhầm", by=world.leader)
    check = credentials.verify_credential(token)
    assert check.valid_signature and check.trusted_issuer
    assert check.status == "revoked" and not check.ok


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJ9.eyJ9.", "x" * 300_000])
def test_garbage_is_answered_not_raised(db, garbage):
    assert not credentials.verify_credential(garbage).ok


def test_the_verification_page_accepts_a_credential(client, result):
    token = credentials.issue_credential(result)
    html = client.post("/verify/credential/", {"credential": token}).content.decode()
    assert "Hợp lệ: chứng nhận do cơ quan cấp ký" in html
    assert result.data["dossier_code"] in html
    refused = client.post("/verify/credential/", {"credential": token[:-4] + "AAAA"})
    assert "Không hợp lệ." in refused.content.decode()
    assert client.post("/verify/credential/", {"credential": ""}).status_code == 400


def test_the_owner_downloads_the_credential_and_nobody_else_can(world, result):
    document = WalletDocument.objects.get(issued_reference=str(result.pk))
    url = f"/wallet/documents/{document.pk}/credential/"
    response = client_for(world.owner).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
    assert credentials.verify_credential(response.content.decode()).ok
    assert client_for(world.other_citizen).get(url).status_code == 404
    assert client_for(world.other_officer).get(url).status_code == 404
    assert client_for(world.leader).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
