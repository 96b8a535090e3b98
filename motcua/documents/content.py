"""What a file really is, judged by its bytes, never by its name or the browser's claim."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# (content type, leading bytes)
SIGNATURES = (
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
)
ALLOWED_LABEL = _("PDF, PNG hoặc JPEG")


def sniff_content_type(head: bytes, tail: bytes) -> str | None:
    """The content type of a file from its first and last bytes, or None if it is not an allowed kind.

    A PDF must also end with its %%EOF marker and a JPEG with its end-of-image marker, so a truncated
    upload is refused too.
    """
    for content_type, signature in SIGNATURES:
        if head.startswith(signature):
            if content_type == "application/pdf" and b"%%EOF" not in tail:
                return None
            if content_type == "image/jpeg" and not tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
                return None
            if content_type == "image/png" and b"IEND" not in tail:
                return None
            return content_type
    return None
