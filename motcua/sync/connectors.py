"""Connectors (plugins) that carry a signed push to the national portal and bring back its answer.

One small interface: `send(token) -> Answer`. `motcua` posts to another motcua instance in the national role;
other apps register more (the national app registers `loopback`, its own receiver in this process, for
development). A connector raises `TransportError` when the push may not have arrived (the sender retries later);
a refusal that the portal did answer comes back as an Answer with `refused` set.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

SYNC_PATH = "/api/v1/national/sync/batches"


class TransportError(Exception):
    """The push may not have arrived: no answer, a timeout, or a server error."""


@dataclass(frozen=True)
class Answer:
    """The portal's answer: per change (dossier code, seq) → outcome, with the seq it expects on a gap."""

    http_status: int
    results: list[dict] = field(default_factory=list)
    refused: str = ""


class Connector:
    name = ""

    def send(self, token: str) -> Answer:
        raise NotImplementedError


class MotcuaConnector(Connector):
    """POST the JWS to a motcua instance that runs with MOTCUA_ROLE=national."""

    name = "motcua"

    def __init__(self, base_url: str, timeout: float):
        self.url = base_url.rstrip("/") + SYNC_PATH
        self.timeout = timeout

    def send(self, token: str) -> Answer:
        request = urllib.request.Request(
            self.url, data=token.encode(), method="POST",
            headers={"Content-Type": "application/jose", "Accept": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if exc.code >= 500 or exc.code == 429:
                raise TransportError(f"HTTP {exc.code}: {body[:300]!r}") from exc
            return _answer(exc.code, body)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransportError(str(exc)) from exc


def _answer(status: int, body: bytes) -> Answer:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise TransportError(f"HTTP {status}: the answer is not JSON") from exc
    if status == 200 and isinstance(data.get("results"), list):
        return Answer(http_status=status, results=data["results"])
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    return Answer(http_status=status, refused=str(error.get("code") or f"HTTP {status}"))


_registry: dict[str, Callable[[], Connector]] = {
    "motcua": lambda: MotcuaConnector(settings.MOTCUA_NATIONAL_URL, settings.MOTCUA_SYNC_TIMEOUT_SECONDS),
}


def register(name: str, factory: Callable[[], Connector]) -> None:
    _registry[name] = factory


def current() -> Connector | None:
    """The configured connector, or None when sync is off."""
    name = settings.MOTCUA_SYNC_CONNECTOR
    if name == "off":
        return None
    try:
        return _registry[name]()
    except KeyError:
        raise LookupError(f"No sync connector is registered as {name!r}.") from None
