"""Forms 01–07 are downloaded signed by the agency (PAdES), and the visible stamp covers none of their text."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import at
from motcua.signing.pades import validate_pdf
from motcua.signing.rendering import FORMS, render_form, render_register
from motcua.signing.signed_forms import stamp_box
from motcua.signing.tests.test_pades import pdfsig, tamper
from motcua.signing.tests.test_rendering import K, act, submit

needs_poppler = pytest.mark.skipif(
    shutil.which("pdfsig") is None or shutil.which("pdftoppm") is None, reason="poppler-utils is not installed"
)


@pytest.fixture
def dossiers(world) -> dict[str, Dossier]:
    """A dossier for each of forms 01–06: one received, supplemented, extended, approved and returned; one
    refused; one stopped."""
    processed = submit(world)
    act(processed, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    act(processed, world.reception, K.HAND_OFF, now=at(2026, 11, 23, 10), assignee=world.specialist)
    act(
        processed, world.specialist, K.REQUEST_SUPPLEMENT, now=at(2026, 11, 25, 10),
        missing=["Giấy chứng sinh bản rõ nét"], comment="Bản chụp bị mờ",
    )  # fmt: skip
    requirement = world.version.components.get(position=2)
    act(processed, world.owner, K.SUPPLEMENT, now=at(2026, 11, 26, 9), files={requirement.pk: [world.upload()]})
    act(
        processed, world.leader, K.EXTEND, now=at(2026, 12, 2, 9), new_appointment=at(2026, 12, 10, 17),
        comment="Cần xác minh thông tin nơi sinh",
    )  # fmt: skip
    refused = submit(world, now=at(2026, 11, 24, 8))
    act(refused, world.reception, K.REFUSE, now=at(2026, 11, 24, 9), comment="Sai thẩm quyền")
    stopped = submit(world, now=at(2026, 11, 24, 8, 10))
    act(stopped, world.reception, K.RECEIVE, now=at(2026, 11, 24, 9))
    act(stopped, world.leader, K.STOP, now=at(2026, 11, 25, 9), comment="Người yêu cầu rút hồ sơ")
    return {"01": processed, "02": processed, "03": refused, "04": processed, "05": stopped, "06": processed}


def download(user, url: str) -> bytes:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def assert_signed_by(body: bytes, agency, *, reason: str) -> None:
    check = validate_pdf(body)
    assert check.valid, check
    [signature] = check.signatures
    assert signature.signer_identifier == agency.identifier and signature.covers_whole_file
    [embedded] = PdfFileReader(io.BytesIO(body), strict=False).embedded_signatures
    assert embedded.sig_object["/Reason"] == reason
    assert not validate_pdf(tamper(body)).valid


def assert_pdfsig(body: bytes, tmp_path: Path, agency) -> None:
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(body)
    bad.write_bytes(tamper(body))
    out = pdfsig(good)
    assert "Signature Validation: Signature is Valid." in out and "Total document signed" in out, out
    assert agency.name in out, out
    out = pdfsig(bad)
    assert "Signature Validation:" in out and "Signature is Valid." not in out, out


@needs_poppler
@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06"])
def test_each_dossier_form_is_signed_by_the_dossiers_agency(world, dossiers, number, tmp_path):
    dossier = dossiers[number]
    body = download(world.reception, f"/forms/dossiers/{dossier.code}/{number}.pdf")
    title = FORMS[number].title.lower()
    assert_signed_by(body, world.agency, reason=f"Ký số mẫu số {number} ({title}) của hồ sơ {dossier.code}")
    assert_pdfsig(body, tmp_path, world.agency)


@needs_poppler
def test_the_register_is_signed_by_its_agency(world, dossiers, tmp_path):
    body = download(world.reception, "/forms/register/H17.20.194.pdf?from=2026-11-01&to=2026-11-30")
    reason = "Ký số mẫu số 07 (sổ theo dõi hồ sơ) từ ngày 01/11/2026 đến ngày 30/11/2026"
    assert_signed_by(body, world.agency, reason=reason)
    assert_pdfsig(body, tmp_path, world.agency)


def test_the_applicant_gets_the_same_signed_form(world, dossiers):
    body = download(world.owner, f"/forms/dossiers/{dossiers['01'].code}/01.pdf")
    assert validate_pdf(body).valid


# ---------------------------------------------------------------------------------------------------
# Where the stamp goes


def last_page(pdf: bytes, tmp_path: Path) -> Image.Image:
    """The last page of `pdf` in grey at 72 dpi: one pixel per PDF point."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    root = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-f", pages, "-l", pages, "-singlefile", str(path), str(root)], check=True
    )
    with Image.open(root.with_suffix(".pgm")) as image:
        return image.copy()


def assert_stamp_area_blank(pdf: bytes, tmp_path: Path) -> None:
    page = last_page(pdf, tmp_path)
    left, bottom, right, top = stamp_box(pdf)
    assert right <= page.width
    area = page.crop((left, page.height - top, right, page.height - bottom))  # PDF y grows upwards
    assert area.getextrema() == (255, 255), "the form's text is where the signature stamp goes"


@needs_poppler
@pytest.mark.parametrize("items", [1, 12, 13, 17, 20, 40])
def test_the_stamp_never_covers_the_text(world, items, tmp_path):
    """However long the form, the space below its signature block stays free (on a new page if need be)."""
    dossier = submit(world)
    missing = [f"Giấy tờ cần bổ sung thứ {i}" for i in range(1, items + 1)]
    act(dossier, world.reception, K.REQUEST_SUPPLEMENT, now=at(2026, 11, 23, 9), missing=missing)
    assert_stamp_area_blank(render_form("02", dossier=dossier), tmp_path)


@needs_poppler
@pytest.mark.parametrize("rows", [1, 9, 25])
def test_the_stamp_of_the_landscape_register_is_in_its_bottom_right_corner(world, rows, tmp_path):
    for minute in range(rows):
        submit(world, now=at(2026, 11, 25, 8, minute))
    pdf = render_register(
        agency=world.agency, dossiers=Dossier.objects.order_by("submitted_at"), period_start=at(2026, 11, 1),
        period_end=at(2026, 11, 30),
    )  # fmt: skip
    left, _, right, _ = stamp_box(pdf)
    assert (left, right) == (842 - 42 - 198, 842 - 42)
    assert_stamp_area_blank(pdf, tmp_path)


@needs_poppler
@pytest.mark.parametrize("number", ["01", "03", "04", "05", "06"])
def test_the_stamp_leaves_every_form_readable(world, dossiers, number, tmp_path):
    assert_stamp_area_blank(render_form(number, dossier=dossiers[number], now=at(2026, 12, 9, 8)), tmp_path)
