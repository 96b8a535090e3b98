"""The one-stop forms 01–07 as they are handed out: rendered, then signed (PAdES) with the agency's key.

A form downloaded from motcua is the agency's document like a result is: the dossier's agency signs forms
01–06, the register's agency signs form 07. The visible stamp goes in the bottom right corner of the last
page, which the form templates keep free below the signature block (``signing/base.html``). Nothing is
stored: every download is rendered and signed afresh from the dossier's log.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from motcua.catalog.models import Agency
from motcua.dossiers.models import Dossier
from motcua.signing import pades
from motcua.signing.rendering import FORMS, render_form, render_register

A4_PORTRAIT_WIDTH = 595  # pades.STAMP_BOX is laid out for it


class FormNotAvailable(Exception):
    """There is no such form, or not for this dossier (e.g. a refusal slip of a dossier never refused)."""


def signed_form(number: str, *, dossier: Dossier, now: dt.datetime | None = None) -> bytes:
    """Mẫu số `number` of `dossier`, signed by its agency; FormNotAvailable (message in Vietnamese) if it has none."""
    try:
        body = render_form(number, dossier=dossier, now=now)
    except ValueError as exc:
        # Only the rendering's "no such form" becomes FormNotAvailable: a signing failure stays a server error.
        raise FormNotAvailable(str(exc)) from exc
    number = str(number).zfill(2)
    title = FORMS[number].title.lower()
    return _sign(body, agency=dossier.agency, reason=f"Ký số mẫu số {number} ({title}) của hồ sơ {dossier.code}")


def signed_register(
    *,
    agency: Agency,
    dossiers: Sequence[Dossier] | Iterable[Dossier],
    period_start: dt.date,
    period_end: dt.date,
    now: dt.datetime | None = None,
) -> bytes:
    """Mẫu số 07, the register of `agency` for the period, signed by that agency."""
    body = render_register(agency=agency, dossiers=dossiers, period_start=period_start, period_end=period_end, now=now)
    reason = f"Ký số mẫu số 07 (sổ theo dõi hồ sơ) từ ngày {period_start:%d/%m/%Y} đến ngày {period_end:%d/%m/%Y}"
    return _sign(body, agency=agency, reason=reason)


def _sign(body: bytes, *, agency: Agency, reason: str) -> bytes:
    return pades.sign_pdf(body, agency=agency, reason=reason, location=agency.name, box=stamp_box(body))


def stamp_box(pdf: bytes) -> tuple[int, int, int, int]:
    """pades.STAMP_BOX, kept at the same distance from the right edge of the last page whatever its width
    (the register is A4 landscape)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    page, _ = reader.find_page_for_modification(-1)
    media_box = page.get_object().get("/MediaBox")
    if not media_box:
        return pades.STAMP_BOX
    shift = round(float(media_box[2]) - float(media_box[0])) - A4_PORTRAIT_WIDTH
    left, bottom, right, top = pades.STAMP_BOX
    return left + shift, bottom, right + shift, top
