"""Signing keys and trust roots.

Development and tests use a local **demo certificate authority** ("motcua Demo Root CA", for
development only): `ensure_demo_pki` creates it once under ``settings.MOTCUA_PKI_DIR`` and reuses it;
`agency_signer` then issues, on first use, one signing certificate per agency (subject: the agency's name,
its QCVN 102:2016 identifier in the UID attribute, C=VN; key usage digitalSignature + nonRepudiation),
kept as ``agency-<identifier>.p12`` beside the root.

Production never uses the demo CA. Set ``MOTCUA_SIGNING_PKCS12`` (path of a PKCS#12 file with the key,
its certificate and the chain, issued by a licensed CA) and ``MOTCUA_SIGNING_PKCS12_PASSWORD``; that one
key signs for the whole instance. Per-agency keys would be a mapping agency identifier → PKCS#12 file
(e.g. a directory ``<identifier>.p12`` with passwords from a secret store) looked up here in
`agency_signer`; hardware keys (PKCS#11 HSM / USB tokens) are out of scope for now — pyHanko's
``pyhanko.sign.pkcs11.PKCS11Signer`` is the way in. Trust roots for verification are the demo root (outside
production) plus the PEM/DER files listed in ``MOTCUA_SIGNING_TRUST_ROOTS``.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT_NAME = "motcua Demo Root CA"
ROOT_FILE = "demo-root-ca.p12"
ROOT_CERT_FILE = "demo-root-ca.pem"
# The demo files are protected by file permissions (0600), not by this well-known passphrase.
DEMO_PASSPHRASE = b"motcua-demo-only"
ROOT_VALIDITY = dt.timedelta(days=3650)
SIGNER_VALIDITY = dt.timedelta(days=3 * 365)

_lock = threading.Lock()


@dataclass(frozen=True)
class DemoPKI:
    directory: Path
    root_cert: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    created: bool  # True when this call created the root


def pki_dir() -> Path:
    return Path(settings.MOTCUA_PKI_DIR)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one


def _refuse_in_production() -> None:
    if settings.ENVIRONMENT == "production":
        raise ImproperlyConfigured(
            "The demo certificate authority is for development only. In production set MOTCUA_SIGNING_PKCS12 "
            "(and MOTCUA_SIGNING_PKCS12_PASSWORD) to the agency key issued by a licensed CA."
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _serialize(key, cert, name: str, cas=None) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, cas, serialization.BestAvailableEncryption(DEMO_PASSPHRASE)
    )


def ensure_demo_pki(*, directory: Path | str | None = None) -> DemoPKI:
    """Create the demo root CA under `directory` (default MOTCUA_PKI_DIR) unless it is already there."""
    _refuse_in_production()
    directory = Path(directory) if directory else pki_dir()
    path = directory / ROOT_FILE
    with _lock:
        if path.is_file():
            key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), DEMO_PASSPHRASE)
            return DemoPKI(directory, cert, key, created=False)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (development only)"),
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + ROOT_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(path, _serialize(key, cert, ROOT_NAME))
        (directory / ROOT_CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return DemoPKI(directory, cert, key, created=True)


def _agency_file(directory: Path, identifier: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in identifier)
    return directory / f"agency-{safe}.p12"


def ensure_agency_certificate(agency, *, directory: Path | str | None = None) -> Path:
    """The demo PKCS#12 file of `agency` (key, certificate, root), issued by the demo CA on first use."""
    pki = ensure_demo_pki(directory=directory)
    path = _agency_file(pki.directory, agency.identifier)
    with _lock:
        if path.is_file():
            return path
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name[:64]),
                x509.NameAttribute(NameOID.USER_ID, agency.identifier),
                x509.NameAttribute(NameOID.COMMON_NAME, agency.name[:64]),
            ]
        )
        now = _now()
        root = pki.root_cert
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(min(now + SIGNER_VALIDITY, root.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.root_key.public_key()), critical=False
            )
            .sign(pki.root_key, hashes.SHA256())
        )
        _write_private(path, _serialize(key, cert, agency.identifier, cas=[root]))
        return path


def agency_signer(agency):
    """A pyHanko signer for `agency`: the configured production PKCS#12 key, or the demo CA's agency key."""
    from pyhanko.sign import signers

    configured = getattr(settings, "MOTCUA_SIGNING_PKCS12", "")
    if configured:
        password = getattr(settings, "MOTCUA_SIGNING_PKCS12_PASSWORD", "") or None
        signer = signers.SimpleSigner.load_pkcs12(configured, passphrase=password.encode() if password else None)
        if signer is None:
            raise ImproperlyConfigured(f"Cannot load the signing key from MOTCUA_SIGNING_PKCS12={configured!r}.")
        return signer
    _refuse_in_production()
    path = ensure_agency_certificate(agency)
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=DEMO_PASSPHRASE)
    if signer is None:
        raise ImproperlyConfigured(f"Cannot load the demo signing key {path}.")
    return signer


def trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates a valid result signature must chain to."""
    roots = []
    if settings.ENVIRONMENT != "production":
        path = pki_dir() / ROOT_CERT_FILE
        if path.is_file():
            roots.append(_load_cert(path.read_bytes()))
    for name in getattr(settings, "MOTCUA_SIGNING_TRUST_ROOTS", []) or []:
        roots.append(_load_cert(Path(name).read_bytes()))
    return roots


def _load_cert(data: bytes) -> asn1_x509.Certificate:
    if data.lstrip().startswith(b"-----BEGIN"):
        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)
