"""Signing with keys on a real PKCS#11 token: SoftHSM2 (Debian package softhsm2, installed by `make test`).

The module fixture gives SoftHSM a private token directory (SOFTHSM2_CONF), initialises the token
"motcua-test" and imports, for two agencies, the key and certificate the demo CA issued them, labelled with
the agency identifier (the key with softhsm2-util, the certificate as a CKO_CERTIFICATE object with the same
label and id through python-pkcs11), plus the demo root certificate. The tests then run as production: the
demo CA is refused there, so every key comes from the token, and the demo root is a configured trust root.
"""

import io
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.signing import pades, pki
from motcua.signing.tests.test_pades import pdfsig, source_pdf

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, PIN, SO_PIN = "motcua-test", "1234", "5678"


class AgencyA:
    name = "Ủy ban nhân dân Phường Hải Châu"
    identifier = "H17.20.194"


class AgencyB:
    name = "Sở Tư pháp thành phố Đà Nẵng"
    identifier = "H17.01"


def softhsm_util(*args: str) -> None:
    subprocess.run(["softhsm2-util", *args], check=True, capture_output=True, text=True, timeout=60)


def import_key(tmp: Path, key, *, label: str, key_id: str) -> None:
    pem = tmp / f"{label}.key.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    try:
        softhsm_util("--import", str(pem), "--token", TOKEN, "--label", label, "--id", key_id, "--pin", PIN)
    finally:
        pem.unlink()


def import_certificate(session, cert, *, label: str, key_id: str) -> None:
    attributes = pkcs11.util.x509.decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
    attributes.update(
        {pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.LABEL: label, pkcs11.Attribute.ID: bytes.fromhex(key_id)}
    )
    session.create_object(attributes)


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    if not (Path(SOFTHSM_MODULE).exists() and shutil.which("softhsm2-util")):
        pytest.skip("SoftHSM2 is not installed (Debian package softhsm2; `make test` installs it)")

    tmp = tmp_path_factory.mktemp("softhsm")
    (tmp / "tokens").mkdir()
    conf = tmp / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        softhsm_util("--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)

        directory = tmp / "pki"
        root = pki.ensure_demo_pki(directory=directory)
        root_pem = directory / pki.ROOT_CERT_FILE
        material = {}
        for agency in (AgencyA, AgencyB):
            path = pki.ensure_agency_certificate(agency, directory=directory)
            key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), pki.DEMO_PASSPHRASE)
            material[agency.identifier] = (key, cert)
        (key_a, cert_a), (key_b, cert_b) = material["H17.20.194"], material["H17.01"]
        import_key(tmp, key_a, label="H17.20.194", key_id="01")
        import_key(tmp, key_b, label="H17.01", key_id="02")
        import_key(tmp, key_b, label="mismatch", key_id="10")  # agency B's key under agency A's certificate

        # The library reads SOFTHSM2_CONF when it is initialised: start it afresh with ours.
        pkcs11.lib(SOFTHSM_MODULE).reinitialize()
        token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN)
        with token.open(rw=True, user_pin=PIN) as session:
            import_certificate(session, cert_a, label="H17.20.194", key_id="01")
            import_certificate(session, cert_b, label="H17.01", key_id="02")
            import_certificate(session, cert_a, label="mismatch", key_id="10")
            import_certificate(session, root.root_cert, label=pki.ROOT_NAME, key_id="ff")

        yield SimpleNamespace(root_pem=root_pem, root=root.root_cert, certs={"H17.20.194": cert_a, "H17.01": cert_b})

        pki.close_pkcs11_session()
        pkcs11.lib(SOFTHSM_MODULE).finalize()


@pytest.fixture
def hsm(softhsm, settings):
    """Production settings with the keys on the SoftHSM token; the session is closed after each test."""
    settings.ENVIRONMENT = "production"
    settings.MOTCUA_SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.MOTCUA_SIGNING_PKCS11_TOKEN = TOKEN
    settings.MOTCUA_SIGNING_PKCS11_PIN = PIN
    settings.MOTCUA_SIGNING_PKCS11_KEY_LABEL = ""
    settings.MOTCUA_SIGNING_PKCS12_DIR = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(softhsm.root_pem)]
    yield softhsm
    pki.close_pkcs11_session()


def der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def embedded_signature(body: bytes):
    [sig] = PdfFileReader(io.BytesIO(body), strict=False).embedded_signatures
    return sig


@pytest.fixture
def signed_on_token(hsm) -> bytes:
    return pades.sign_pdf(source_pdf(), agency=AgencyA(), reason="Ký kết quả", location="Đà Nẵng")


def test_sign_pdf_with_the_agency_key_on_the_token(signed_on_token, hsm):
    check = pades.validate_pdf(signed_on_token)
    assert check.valid
    [sig] = check.signatures
    assert sig.intact and sig.trusted and sig.covers_whole_file
    assert sig.signer_identifier == "H17.20.194"
    embedded = embedded_signature(signed_on_token)
    assert embedded.signer_cert.dump() == der(hsm.certs["H17.20.194"])  # the agency's certificate, from the token
    carried = {c.chosen.dump() for c in embedded.signed_data["certificates"]}
    assert der(hsm.root) in carried  # the CA certificate found on the token travels with the signature
    assert der(hsm.certs["H17.01"]) not in carried  # other agencies' certificates on the token do not


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_pdfsig_accepts_the_token_signature(signed_on_token, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_on_token)
    out = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert AgencyA.name in out, out


def test_each_agency_signs_with_its_own_key_over_one_session(hsm):
    first = pki.agency_signer(AgencyA())
    session = pki._pkcs11_session()
    second = pki.agency_signer(AgencyB())
    assert first.signing_cert.dump() == der(hsm.certs["H17.20.194"])
    assert second.signing_cert.dump() == der(hsm.certs["H17.01"])
    assert pki._pkcs11_session() is session  # opened once, reused
    body = pades.sign_pdf(source_pdf(), agency=AgencyB(), reason="Ký", location="Đà Nẵng", stamp=False)
    assert pades.validate_pdf(body).signatures[0].signer_identifier == "H17.01"


def test_one_fixed_label_signs_for_every_agency(hsm, settings):
    settings.MOTCUA_SIGNING_PKCS11_KEY_LABEL = "H17.01"
    signer = pki.agency_signer(AgencyA())
    assert signer.signing_cert.dump() == der(hsm.certs["H17.01"])


def test_threads_share_the_session(hsm):
    """The module is called one thread at a time (SoftHSM aborts the whole process otherwise)."""
    agencies = [AgencyA(), AgencyB()] * 4
    with ThreadPoolExecutor(max_workers=len(agencies)) as pool:
        signers = list(pool.map(pki.agency_signer, agencies * 4))
        bodies = list(
            pool.map(
                lambda agency: pades.sign_pdf(
                    source_pdf(), agency=agency, reason="Ký", location="Đà Nẵng", stamp=False
                ),
                agencies,
            )
        )
    for agency, signer in zip(agencies * 4, signers, strict=True):
        assert signer.signing_cert.dump() == der(hsm.certs[agency.identifier])
    for agency, body in zip(agencies, bodies, strict=True):
        check = pades.validate_pdf(body)
        assert check.valid and check.signatures[0].signer_identifier == agency.identifier


# python-pkcs11 reports the dead session a second time while discarding the failed search: noise, not a failure.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_lost_session_is_replaced(hsm, caplog):
    pki.agency_signer(AgencyA())
    lost = pki._pkcs11_session()
    lost.close()  # as if the HSM had restarted
    body = pades.sign_pdf(source_pdf(), agency=AgencyA(), reason="Ký", location="Đà Nẵng", stamp=False)
    assert pades.validate_pdf(body).valid
    assert pki._pkcs11_session() is not lost
    assert "the PKCS#11 session was lost (SessionHandleInvalid)" in caplog.text


def test_a_forked_worker_opens_its_own_session(hsm):
    pki.agency_signer(AgencyA())  # the parent holds a session, as a pre-fork server's master might
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: sign, report, and leave without running any test machinery
        status = b"F"
        try:
            os.close(read)
            signer = pki.agency_signer(AgencyB())
            status = b"ok" if signer.signing_cert.subject.human_friendly else b"F"
        finally:
            os.write(write, status)
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert pipe.read() == b"ok"
    os.waitpid(pid, 0)
    assert pki.agency_signer(AgencyA()).signing_cert.dump() == der(hsm.certs["H17.20.194"])  # the parent's still works


def test_no_key_with_the_agency_label(hsm):
    class Unknown:
        name = "Ủy ban nhân dân xã Không Có"
        identifier = "H17.99.999"

    with pytest.raises(pki.SigningKeyError, match=r"H17\.99\.999.*labelled 'H17\.99\.999'.*KEY_LABEL"):
        pki.agency_signer(Unknown())


def test_a_key_that_does_not_match_its_certificate_is_refused(hsm, settings):
    settings.MOTCUA_SIGNING_PKCS11_KEY_LABEL = "mismatch"
    with pytest.raises(pki.SigningKeyError, match="does not match its certificate"):
        pki.agency_signer(AgencyA())


def test_a_wrong_pin_is_tried_once(hsm, settings):
    settings.MOTCUA_SIGNING_PKCS11_PIN = "0000"
    with pytest.raises(pki.SigningKeyError, match="refused the login .*PinIncorrect.*check MOTCUA_SIGNING_PKCS11_PIN"):
        pki.agency_signer(AgencyA())
    # Real tokens lock the PIN after a few wrong tries: the same PIN is not presented again.
    with pytest.raises(pki.SigningKeyError, match="not tried again"):
        pki.agency_signer(AgencyA())
    settings.MOTCUA_SIGNING_PKCS11_PIN = PIN
    assert pki.agency_signer(AgencyA()).signing_cert.dump() == der(hsm.certs["H17.20.194"])


def test_unknown_token(hsm, settings):
    settings.MOTCUA_SIGNING_PKCS11_TOKEN = "no-such-token"
    with pytest.raises(pki.SigningKeyError, match="'no-such-token'.*MOTCUA_SIGNING_PKCS11_TOKEN"):
        pki.agency_signer(AgencyA())


def test_session_opening_is_serialised(hsm):
    """Many threads asking for the session at once get the same one."""
    barrier = threading.Barrier(8)

    def get():
        barrier.wait()
        return pki._pkcs11_session()

    with ThreadPoolExecutor(max_workers=8) as pool:
        sessions = list(pool.map(lambda _: get(), range(8)))
    assert all(s is sessions[0] for s in sessions)
