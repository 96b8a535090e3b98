"""PAdES signatures checked by pyHanko and, independently, by poppler's pdfsig.

pdfsig runs with ``-nocert``: it then checks the signature's integrity (the digest of the signed byte ranges
and the CMS signature over it) and prints "Signature Validation: Signature is Valid." without consulting
the system NSS trust store, which does not know the demo root. Trust in the chain is checked by pyHanko
against the demo root (`PdfCheck.valid` needs ``trusted``); pdfsig's separate "Certificate Validation" line
is not asserted.
"""

import shutil
import subprocess

import pytest

from motcua.signing import pades
from motcua.signing.pki import ensure_demo_pki


class FakeAgency:
    name = "Ủy ban nhân dân Phường Hải Châu"
    identifier = "H17.20.194"


def source_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<html lang='vi'><body><p>Giấy khai sinh — bản thử</p></body></html>").write_pdf()


def tamper(signed: bytes) -> bytes:
    """Flip one byte inside the first signed range: the binary comment line after the %PDF header."""
    index = signed.index(b"\n", 5) + 2
    data = bytearray(signed)
    data[index] ^= 0x01
    return bytes(data)


def pdfsig(path) -> str:
    completed = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=60)
    return completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    from django.conf import settings

    directory = tmp_path_factory.mktemp("pki")
    previous = settings.MOTCUA_PKI_DIR
    settings.MOTCUA_PKI_DIR = directory
    try:
        return directory, pades.sign_pdf(source_pdf(), agency=FakeAgency(), reason="Ký kết quả", location="Đà Nẵng")
    finally:
        settings.MOTCUA_PKI_DIR = previous


def test_signed_pdf_validates_with_pyhanko(signed, settings):
    directory, body = signed
    settings.MOTCUA_PKI_DIR = directory
    check = pades.validate_pdf(body)
    assert check.valid
    [sig] = check.signatures
    assert sig.intact and sig.trusted and sig.covers_whole_file
    assert sig.signer_identifier == "H17.20.194"
    assert b"/ETSI.CAdES.detached" in body


def test_signature_is_not_trusted_without_the_demo_root(signed, settings, tmp_path):
    _, body = signed
    settings.MOTCUA_PKI_DIR = tmp_path / "other"
    ensure_demo_pki()  # a different root
    check = pades.validate_pdf(body)
    assert check.signatures[0].intact and not check.signatures[0].trusted and not check.valid


def test_tampered_pdf_fails_pyhanko(signed, settings):
    directory, body = signed
    settings.MOTCUA_PKI_DIR = directory
    check = pades.validate_pdf(tamper(body))
    assert not check.valid
    assert not check.signatures or not check.signatures[0].intact


def test_unsigned_and_garbage_are_not_valid(settings):
    assert not pades.validate_pdf(source_pdf()).valid
    assert not pades.validate_pdf(b"%PDF-1.7\nnot really\n%%EOF").valid


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_pdfsig_accepts_the_signed_and_refuses_the_tampered(signed, tmp_path):
    _, body = signed
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(body)
    bad.write_bytes(tamper(body))
    out = pdfsig(good)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert "Ủy ban nhân dân Phường Hải Châu" in out
    out = pdfsig(bad)
    assert "Signature Validation:" in out and "Signature is Valid." not in out, out


def test_unstamped_signature(settings):
    body = pades.sign_pdf(source_pdf(), agency=FakeAgency(), reason="Ký", location="Đà Nẵng", stamp=False)
    assert pades.validate_pdf(body).valid


def test_works_inside_a_running_event_loop(signed, settings):
    import asyncio

    directory, body = signed
    settings.MOTCUA_PKI_DIR = directory

    async def inside():
        signed_again = pades.sign_pdf(source_pdf(), agency=FakeAgency(), reason="Ký", location="Đà Nẵng")
        return pades.validate_pdf(signed_again).valid and pades.validate_pdf(body).valid

    try:
        asyncio.get_running_loop()  # some earlier test of the suite may have left one running
    except RuntimeError:
        assert asyncio.run(inside())
    else:
        coroutine = inside()
        try:
            coroutine.send(None)  # inside() never awaits: it finishes on the first step
        except StopIteration as done:
            assert done.value
