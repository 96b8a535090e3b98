"""What the load sends: a small valid PDF, a multipart body, the manifest's submission body filled in."""

from __future__ import annotations

import uuid

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n165\n%%EOF\n"
)


def multipart(filename: str, content_type: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def fill_template(value, documents: dict[str, str]):
    """The manifest's body template with "{document_1}"/"{document_2}" replaced by the uploaded ids."""
    if isinstance(value, str):
        return documents.get(value, value)
    if isinstance(value, list):
        return [fill_template(item, documents) for item in value]
    if isinstance(value, dict):
        return {key: fill_template(item, documents) for key, item in value.items()}
    return value
