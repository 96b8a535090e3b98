"""Connectors (plugins) that carry a signed push to the national portal and bring back its answer.

One small interface: `send(token) -> Answer`. `motcua` posts to another motcua instance in the national role;
other apps register more (the national app registers `loopback`, its own receiver in this process, for
development). A connector raises `TransportError` when the push may not have arrived (the sender retries later);
a refusal that the portal did answer comes back as an Answer with `refused` set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from motcua.sync import transport
from motcua.sync.transport import TransportError

__all__ = ["Answer", "Connector", "MotcuaConnector", "TransportError", "current", "register"]

SYNC_PATH = "/api/v1/national/sync/batches"


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
        answer = transport.post(self.url, token, timeout=self.timeout)
        if answer.status == 200 and isinstance(answer.body.get("results"), list):
            return Answer(http_status=200, results=answer.body["results"])
        return Answer(http_status=answer.status, refused=answer.error_code or f"HTTP {answer.status}")


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
