"""The notify part's outbox handlers (registered in NotifyConfig.ready)."""

from __future__ import annotations

from motcua.events.registry import handler
from motcua.notify import services


def _email_given_up(payload: dict) -> None:
    services.mark_email_failed(notification_id=payload["notification"])


@handler(services.SEND_EMAIL, transactional=False, on_dead=_email_given_up)
def send_email(payload: dict) -> None:
    services.send_email(notification_id=payload["notification"])
