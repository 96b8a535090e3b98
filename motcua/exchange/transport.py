"""Carrying an exchange message to another instance: the instances' one HTTP transport (motcua.sync.transport),
its failures raised as the exchange's DeliveryFailed (the outbox tries again later)."""

from __future__ import annotations

from django.conf import settings

from motcua.exchange.errors import DeliveryFailed
from motcua.sync.transport import Answer, TransportError
from motcua.sync.transport import post as post_message

__all__ = ["Answer", "post"]


def post(base_url: str, path: str, token: str) -> Answer:
    try:
        return post_message(base_url.rstrip("/") + path, token, timeout=settings.MOTCUA_EXCHANGE_TIMEOUT_SECONDS)
    except TransportError as exc:
        raise DeliveryFailed(str(exc)) from exc
