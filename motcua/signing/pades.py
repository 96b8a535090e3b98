"""PAdES signatures (ETSI.CAdES.detached, baseline B-B) with pyHanko, and their validation.

`sign_pdf` adds one signature as an incremental update, with the signer's certificate chain embedded
and, by default, a visible stamp ("Đã ký số", the agency, the date) in the bottom right corner of the
last page. The stamp is laid out by WeasyPrint with the same Vietnamese font as the forms and imported as
the field's appearance, so pyHanko needs no font shaping of its own. There is no time-stamp authority
yet, hence B-B rather than B-T: the signing time is the signer's claim.

`validate_pdf` checks every signature of a PDF against the trust roots of `pki.trust_roots` without
fetching anything over the network (the demo certificates publish no CRL or OCSP).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone

from motcua.signing import pki

logger = logging.getLogger(__name__)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# The stamp: 70 × 24 mm, 15 mm from the right edge and 22 mm from the bottom edge of an A4 page (points).
STAMP_WIDTH, STAMP_HEIGHT = 198, 68
STAMP_BOX = (595 - 42 - STAMP_WIDTH, 62, 595 - 42, 62 + STAMP_HEIGHT)


def sign_pdf(
    pdf_bytes: bytes,
    *,
    agency,
    reason: str,
    location: str,
    field_name: str = "Signature1",
    stamp: bool = True,
    box: tuple[int, int, int, int] = STAMP_BOX,
    page: int = -1,
    signed_at: dt.datetime | None = None,
) -> bytes:
    """`pdf_bytes` signed (PAdES B-B) with `agency`'s key; the chain is embedded; `stamp` adds the visible stamp."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    signer = pki.agency_signer(agency)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=agency.name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    output = io.BytesIO()
    if not stamp:
        _sync(signers.PdfSigner(meta, signer).sign_pdf, writer, output=output)
        return output.getvalue()
    moment = timezone.localtime(signed_at or timezone.now(), VN)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as stamp_file:
        stamp_file.write(_stamp_pdf(agency_name=agency.name, moment=moment, location=location))
        stamp_file.flush()
        style = StaticStampStyle.from_pdf_file(stamp_file.name, border_width=0)
        pdf_signer = signers.PdfSigner(
            meta,
            signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box),
        )
        _sync(pdf_signer.sign_pdf, writer, output=output)
    return output.getvalue()


def _sync(function, *args, **kwargs):
    """Call one of pyHanko's synchronous wrappers, which run asyncio.run(): in a worker thread when this
    thread already runs an event loop — under ASGI, and in the test suite, where Playwright's sync API keeps
    its loop marked running in the main thread for as long as the (session-wide) browser is open."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _stamp_pdf(*, agency_name: str, moment: dt.datetime, location: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from motcua.signing.rendering import _font_faces, _local_fetcher

    html = render_to_string(
        "signing/stamp.html",
        {"agency_name": agency_name, "signed_at": moment.strftime("%H:%M, ngày %d/%m/%Y"), "location": location},
    )
    fonts = FontConfiguration()
    fetcher = _local_fetcher()
    css = (
        f"@page {{ size: {STAMP_WIDTH}pt {STAMP_HEIGHT}pt; margin: 0; }}"
        'html { font-family: "Motcua Form", "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #b00000; }'
        "body { margin: 0; }"
        ".stamp { box-sizing: border-box; height: 68pt; border: 1.2pt solid #b00000; padding: 3pt 5pt; }"
        ".stamp p { margin: 0 0 1.5pt 0; line-height: 1.2; }"
        ".stamp .title { font-weight: bold; font-size: 9pt; }"
    )
    stylesheets = [
        CSS(string=_font_faces(), font_config=fonts, url_fetcher=fetcher),
        CSS(string=css, font_config=fonts, url_fetcher=fetcher),
    ]
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets, font_config=fonts)


@dataclass
class SignatureCheck:
    field_name: str
    signer: str  # the signer certificate's subject, human-readable
    signer_identifier: str  # its UID attribute (the agency's QCVN identifier), if any
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the cryptographic signature checks out
    trusted: bool  # the signer's certificate chains to a trust root
    covers_whole_file: bool  # nothing was appended after this signature
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


@dataclass
class PdfCheck:
    readable: bool
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Readable, signed, and every signature intact and trusted, the last one covering the whole file."""
        return (
            self.readable
            and bool(self.signatures)
            and all(sig.valid for sig in self.signatures)
            and self.signatures[-1].covers_whole_file
        )


def validate_pdf(pdf_bytes: bytes) -> PdfCheck:
    """Check every signature of `pdf_bytes`; never raises on a malformed or hostile file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 — any parse failure means "not a readable signed PDF"
        logger.info("verify: unreadable PDF", exc_info=True)
        return PdfCheck(readable=False)
    roots = pki.trust_roots()
    checks = []
    for sig in embedded:
        try:
            context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
            status = _sync(validate_pdf_signature, sig, context)
            cert = status.signing_cert
            uid = [a.native for a in _uid_values(cert)] if cert is not None else []
            checks.append(
                SignatureCheck(
                    field_name=sig.field_name,
                    signer=cert.subject.human_friendly if cert is not None else "",
                    signer_identifier=uid[0] if uid else "",
                    signed_at=status.signer_reported_dt,
                    intact=bool(status.intact and status.valid),
                    trusted=bool(status.trusted),
                    covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                )
            )
        except Exception as exc:  # noqa: BLE001 — a broken signature is an invalid one
            logger.info("verify: signature check failed", exc_info=True)
            checks.append(
                SignatureCheck(
                    field_name=getattr(sig, "field_name", "") or "",
                    signer="",
                    signer_identifier="",
                    signed_at=None,
                    intact=False,
                    trusted=False,
                    covers_whole_file=False,
                    problem=type(exc).__name__,
                )
            )
    return PdfCheck(readable=True, signatures=checks)


def _uid_values(cert):
    for rdn in cert.subject.chosen:
        for attribute in rdn:
            if attribute["type"].dotted == "0.9.2342.19200300.100.1.1":
                yield attribute["value"]
