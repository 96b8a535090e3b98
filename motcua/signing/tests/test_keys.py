"""Where each agency's signing key comes from (PKCS#12 files, the demo CA), the checks a key must pass before it
signs, and the start-up checks of the signing-key settings. The PKCS#11 token is in test_pkcs11.py."""

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from motcua.settings import check_signing_keys
from motcua.signing import pades, pki
from motcua.signing.tests.test_pades import source_pdf

PASSWORD = "mat-khau-kho-doan"


class AgencyA:
    name = "Ủy ban nhân dân Phường Hải Châu"
    identifier = "H17.20.194"


class AgencyB:
    name = "Sở Tư pháp thành phố Đà Nẵng"
    identifier = "H17.01"


def issue(agency, *, not_before=None, not_after=None, signing=True):
    """A key and a certificate for `agency` from the demo root, with the given validity and key usage."""
    path = pki.pki_dir() / pki.ROOT_FILE
    if not path.is_file():
        pki.ensure_demo_pki()
    root_key, root_cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), pki.DEMO_PASSPHRASE)
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.USER_ID, agency.identifier),
            x509.NameAttribute(NameOID.COMMON_NAME, agency.name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing,
                key_encipherment=not signing,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    return key, cert, root_cert


def write_p12(path, key, cert, cas=(), password=PASSWORD):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"key", key, cert, list(cas), serialization.BestAvailableEncryption(password.encode())
        )
    )
    return path


@pytest.fixture
def production(settings, pki_dir):
    """Production, trusting the demo root as if it were the licensed CA's; the demo root is created first."""
    pki.ensure_demo_pki()
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(pki_dir / pki.ROOT_CERT_FILE)]
    settings.MOTCUA_SIGNING_PKCS12_PASSWORD = PASSWORD
    settings.MOTCUA_SIGNING_PKCS12_DIR = ""
    settings.MOTCUA_SIGNING_PKCS11_MODULE = ""
    settings.ENVIRONMENT = "production"
    return settings


def signer_uid(signer) -> str:
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    return cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value


def test_each_agency_signs_with_its_own_file(settings, tmp_path):
    keys = tmp_path / "keys"
    certs = {}
    for agency in (AgencyA, AgencyB):
        key, cert, root = issue(agency)
        write_p12(keys / f"{agency.identifier}.p12", key, cert, [root])
        certs[agency.identifier] = cert
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(pki.pki_dir() / pki.ROOT_CERT_FILE)]
    settings.MOTCUA_SIGNING_PKCS12_DIR = str(keys)
    settings.MOTCUA_SIGNING_PKCS12_PASSWORD = PASSWORD
    settings.ENVIRONMENT = "production"
    for agency in (AgencyA, AgencyB):
        body = pades.sign_pdf(source_pdf(), agency=agency(), reason="Ký", location="Đà Nẵng", stamp=False)
        check = pades.validate_pdf(body)
        assert check.valid and check.signatures[0].signer_identifier == agency.identifier
        signer = pki.agency_signer(agency())
        assert signer.signing_cert.dump() == certs[agency.identifier].public_bytes(serialization.Encoding.DER)
    assert certs["H17.20.194"] != certs["H17.01"]


def test_an_agency_without_a_file_uses_the_single_key(production, tmp_path):
    key, cert, root = issue(AgencyA)
    write_p12(tmp_path / "keys" / "H17.20.194.p12", key, cert, [root])
    province_key, province_cert, _ = issue(AgencyB)
    production.MOTCUA_SIGNING_PKCS12_DIR = str(tmp_path / "keys")
    production.MOTCUA_SIGNING_PKCS12 = str(write_p12(tmp_path / "province.p12", province_key, province_cert, [root]))

    class Other:
        name = "Ủy ban nhân dân xã Hòa Vang"
        identifier = "H17.20.999"

    assert signer_uid(pki.agency_signer(AgencyA())) == "H17.20.194"
    assert signer_uid(pki.agency_signer(Other())) == "H17.01"  # the province's key


def test_outside_production_an_agency_without_a_file_uses_the_demo_ca(settings, tmp_path):
    (tmp_path / "keys").mkdir()
    settings.MOTCUA_SIGNING_PKCS12_DIR = str(tmp_path / "keys")
    signer = pki.agency_signer(AgencyA())
    assert signer_uid(signer) == "H17.20.194"
    assert pki._agency_file(pki.pki_dir(), "H17.20.194").is_file()


def test_no_key_in_production_names_the_agency_and_what_to_set(production, tmp_path):
    with pytest.raises(pki.SigningKeyError) as refused:
        pki.agency_signer(AgencyA())
    message = str(refused.value)
    assert "H17.20.194" in message and AgencyA.name in message
    for name in ("MOTCUA_SIGNING_PKCS11_MODULE", "MOTCUA_SIGNING_PKCS12_DIR", "MOTCUA_SIGNING_PKCS12"):
        assert name in message
    assert isinstance(refused.value, ImproperlyConfigured)

    (tmp_path / "keys").mkdir()
    production.MOTCUA_SIGNING_PKCS12_DIR = str(tmp_path / "keys")
    with pytest.raises(pki.SigningKeyError, match=r"there is no .*keys/H17\.20\.194\.p12"):
        pki.agency_signer(AgencyA())


def test_identifiers_that_are_not_plain_file_names_are_never_looked_up(production, tmp_path):
    key, cert, root = issue(AgencyA)
    write_p12(tmp_path / "outside.p12", key, cert, [root])
    (tmp_path / "keys").mkdir()
    production.MOTCUA_SIGNING_PKCS12_DIR = str(tmp_path / "keys")

    class Sneaky:
        name = "x"
        identifier = "../outside"

    with pytest.raises(pki.SigningKeyError, match="No signing key"):
        pki.agency_signer(Sneaky())


def test_wrong_password(production, tmp_path):
    key, cert, root = issue(AgencyA)
    production.MOTCUA_SIGNING_PKCS12 = str(write_p12(tmp_path / "a.p12", key, cert, [root], password="other"))
    with pytest.raises(pki.SigningKeyError, match="wrong MOTCUA_SIGNING_PKCS12_PASSWORD"):
        pki.agency_signer(AgencyA())


def test_not_a_pkcs12_file(production, tmp_path):
    (tmp_path / "a.p12").write_bytes(b"-----BEGIN CERTIFICATE-----\n")
    production.MOTCUA_SIGNING_PKCS12 = str(tmp_path / "a.p12")
    with pytest.raises(pki.SigningKeyError, match="not a PKCS#12 file"):
        pki.agency_signer(AgencyA())


@pytest.mark.parametrize(
    "not_before, not_after, message",
    [
        (dt.timedelta(days=-400), dt.timedelta(days=-1), "expired on"),
        (dt.timedelta(days=2), dt.timedelta(days=400), "is not valid before"),
    ],
)
def test_a_certificate_not_valid_now_is_refused(production, tmp_path, not_before, not_after, message):
    now = dt.datetime.now(dt.UTC)
    key, cert, root = issue(AgencyA, not_before=now + not_before, not_after=now + not_after)
    production.MOTCUA_SIGNING_PKCS12 = str(write_p12(tmp_path / "a.p12", key, cert, [root]))
    with pytest.raises(pki.SigningKeyError, match=f"H17.20.194.*{message}"):
        pades.sign_pdf(source_pdf(), agency=AgencyA(), reason="Ký", location="Đà Nẵng", stamp=False)


def test_a_certificate_not_for_signing_is_refused(production, tmp_path):
    key, cert, root = issue(AgencyA, signing=False)
    production.MOTCUA_SIGNING_PKCS12 = str(write_p12(tmp_path / "a.p12", key, cert, [root]))
    with pytest.raises(pki.SigningKeyError, match="not for signing documents"):
        pki.agency_signer(AgencyA())


def test_the_ca_key_is_not_a_signing_key(settings, pki_dir):
    pki.ensure_demo_pki()
    settings.MOTCUA_SIGNING_PKCS12 = str(pki_dir / pki.ROOT_FILE)
    settings.MOTCUA_SIGNING_PKCS12_PASSWORD = pki.DEMO_PASSPHRASE.decode()
    with pytest.raises(pki.SigningKeyError, match="not for signing documents"):
        pki.agency_signer(AgencyA())


def test_a_key_that_does_not_match_its_certificate_is_refused(production, tmp_path, monkeypatch):
    # PKCS#12 writers refuse such a pair, so it is handed to the check directly, as a mixed-up store would.
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    _, cert, _ = issue(AgencyA)
    other = ec.generate_private_key(ec.SECP256R1())
    mixed = signers.SimpleSigner(
        signing_key=asn1_keys.PrivateKeyInfo.load(
            other.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        cert_registry=SimpleCertificateStore(),
    )
    production.MOTCUA_SIGNING_PKCS12 = str(tmp_path / "a.p12")
    monkeypatch.setattr(pki, "_load_pkcs12", lambda path, password, agency: mixed)
    with pytest.raises(pki.SigningKeyError, match="does not match its certificate"):
        pki.agency_signer(AgencyA())


# Start-up checks of the settings.


def test_complete_signing_settings_pass(tmp_path):
    module = tmp_path / "vendor-pkcs11.so"
    module.write_bytes(b"")
    (tmp_path / "keys").mkdir()
    (tmp_path / "province.p12").write_bytes(b"")
    (tmp_path / "root.pem").write_bytes(b"")
    check_signing_keys()
    check_signing_keys(pkcs11_module=str(module), pkcs11_token="hsm", pkcs11_pin="1234", pkcs11_key_label="tinh")
    check_signing_keys(
        pkcs12_dir=str(tmp_path / "keys"),
        pkcs12=str(tmp_path / "province.p12"),
        trust_roots=[str(tmp_path / "root.pem")],
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"pkcs11_module": "/nowhere/libvendor.so", "pkcs11_token": "t", "pkcs11_pin": "1"}, "is not a file"),
        ({"pkcs11_module": "MODULE", "pkcs11_pin": "1"}, "MOTCUA_SIGNING_PKCS11_TOKEN is required"),
        ({"pkcs11_module": "MODULE", "pkcs11_token": "t"}, "MOTCUA_SIGNING_PKCS11_PIN is required"),
        (
            {"pkcs11_token": "t", "pkcs11_pin": "1"},
            "MOTCUA_SIGNING_PKCS11_TOKEN is set but MOTCUA_SIGNING_PKCS11_MODULE",
        ),
        ({"pkcs11_key_label": "tinh"}, "MOTCUA_SIGNING_PKCS11_KEY_LABEL is set but"),
        ({"pkcs12_dir": "FILE"}, "MOTCUA_SIGNING_PKCS12_DIR='.*' is not a directory: create it"),
        ({"pkcs12_dir": "/nowhere/keys"}, "is not a directory"),
        ({"pkcs12": "/nowhere/a.p12"}, "MOTCUA_SIGNING_PKCS12='/nowhere/a.p12' is not a file"),
        ({"trust_roots": ["/nowhere/root.pem"]}, "MOTCUA_SIGNING_TRUST_ROOTS lists '/nowhere/root.pem'"),
    ],
)
def test_signing_settings_that_cannot_work_are_refused(tmp_path, arguments, message):
    module = tmp_path / "vendor-pkcs11.so"
    module.write_bytes(b"")
    arguments = {key: str(module) if value in ("MODULE", "FILE") else value for key, value in arguments.items()}
    with pytest.raises(ImproperlyConfigured, match=message):
        check_signing_keys(**arguments)


def test_start_up_stops_on_a_bad_signing_setting():
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("MOTCUA_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean
        | {
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_VAR_DIR": "/tmp/motcua-settings-test",
            "MOTCUA_SIGNING_PKCS11_MODULE": "/nowhere/libvendor.so",
        },
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MOTCUA_SIGNING_PKCS11_MODULE='/nowhere/libvendor.so' is not a file" in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_a_file_exported_by_openssl_is_read(production, tmp_path):
    """A PKCS#12 file as operators make them (openssl pkcs12 -export), not only as `cryptography` writes them."""
    key, cert, root = issue(AgencyA)
    for name, data in (
        (
            "key.pem",
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        ),
        ("cert.pem", cert.public_bytes(serialization.Encoding.PEM)),
        ("root.pem", root.public_bytes(serialization.Encoding.PEM)),
    ):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "keys").mkdir()
    subprocess.run(
        [
            "openssl", "pkcs12", "-export", "-inkey", str(tmp_path / "key.pem"), "-in", str(tmp_path / "cert.pem"),
            "-certfile", str(tmp_path / "root.pem"), "-out", str(tmp_path / "keys" / "H17.20.194.p12"),
            "-passout", f"pass:{PASSWORD}",
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    production.MOTCUA_SIGNING_PKCS12_DIR = str(tmp_path / "keys")
    body = pades.sign_pdf(source_pdf(), agency=AgencyA(), reason="Ký", location="Đà Nẵng", stamp=False)
    assert pades.validate_pdf(body).valid
