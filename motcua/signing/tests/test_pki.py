import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from motcua.signing import pki


class FakeAgency:
    name = "Ủy ban nhân dân Phường Hải Châu"
    identifier = "H17.20.194"


def test_demo_root_is_created_once_and_reused(pki_dir):
    first = pki.ensure_demo_pki(directory=pki_dir)
    second = pki.ensure_demo_pki(directory=pki_dir)
    assert first.created and not second.created
    assert first.root_cert == second.root_cert
    assert first.root_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == pki.ROOT_NAME
    assert (pki_dir / pki.ROOT_FILE).stat().st_mode & 0o077 == 0  # the key file is private


def test_agency_certificate_names_the_agency_and_chains_to_the_root(pki_dir):
    path = pki.ensure_agency_certificate(FakeAgency())
    assert path == pki.ensure_agency_certificate(FakeAgency())  # reused
    signer = pki.agency_signer(FakeAgency())
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == FakeAgency.name
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "H17.20.194"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    root = pki.ensure_demo_pki().root_cert
    assert cert.issuer == root.subject
    cert.verify_directly_issued_by(root)
    assert [c.subject.human_friendly for c in signer.cert_registry]  # the root travels with the key


def test_configured_pkcs12_is_used_instead_of_the_demo_ca(settings, pki_dir):
    path = pki.ensure_agency_certificate(FakeAgency())
    settings.MOTCUA_SIGNING_PKCS12 = str(path)
    settings.MOTCUA_SIGNING_PKCS12_PASSWORD = pki.DEMO_PASSPHRASE.decode()
    settings.MOTCUA_PKI_DIR = pki_dir / "elsewhere"

    class Other:
        name = "Sở Tư pháp"
        identifier = "H17.01"

    signer = pki.agency_signer(Other())  # one key for the instance
    assert "H17.20.194" in signer.signing_cert.subject.human_friendly
    assert not (pki_dir / "elsewhere").exists()


def test_demo_ca_is_refused_in_production(settings, pki_dir):
    settings.ENVIRONMENT = "production"
    with pytest.raises(ImproperlyConfigured):
        pki.ensure_demo_pki()
    with pytest.raises(ImproperlyConfigured):
        pki.agency_signer(FakeAgency())
    assert pki.trust_roots() == []


def test_management_command(pki_dir, capsys):
    call_command("ensure_demo_pki")
    call_command("ensure_demo_pki")
    out = capsys.readouterr().out
    assert "created" in out and "already present" in out
