"""Carrying a signed message to another instance over HTTP: POST the JWS (application/jose), read the JSON answer.
The one transport of the status sync and the document exchange.

No answer, a timeout, a server error or a rate limit raise TransportError (the message may not have arrived: the
sender tries again later); an answer the receiver did give, a refusal included, comes back as an Answer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field


class TransportError(Exception):
    """The message may not have arrived: no answer, a timeout, or a server error."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict = field(default_factory=dict)

    @property
    def error_code(self) -> str:
        error = self.body.get("error")
        return str(error.get("code", "")) if isinstance(error, dict) else ""

    @property
    def error_message(self) -> str:
        error = self.body.get("error")
        return str(error.get("message", "")) if isinstance(error, dict) else ""


def post(url: str, token: str, *, timeout: float) -> Answer:
    request = urllib.request.Request(
        url, data=token.encode("ascii"), method="POST",
        headers={"Content-Type": "application/jose", "Accept": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        if exc.code >= 500 or exc.code == 429:
            raise TransportError(f"{url}: HTTP {exc.code}: {body[:300]!r}") from exc
        return _answer(exc.code, body)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransportError(f"{url}: {exc}") from exc


def _answer(status: int, body: bytes) -> Answer:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise TransportError(f"HTTP {status}: the answer is not JSON") from exc
    return Answer(status=status, body=data if isinstance(data, dict) else {})
