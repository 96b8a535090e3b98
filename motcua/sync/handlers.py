"""The connector listens to dossier actions: each is recorded for the national portal in the action's order
(exactly once, in the outbox's transaction), then a push is asked for (outside any transaction)."""

from __future__ import annotations

from motcua.dossiers.signals import ACTION_RECORDED
from motcua.events.registry import handler
from motcua.sync import services, tasks


@handler("sync.record_changes", subscribes_to=(ACTION_RECORDED,))
def record_changes(payload: dict) -> None:
    services.record_changes(action_id=payload["action"])


@handler(services.PUSH_HANDLER, transactional=False)
def push(payload: dict) -> None:
    """A wake-up: the channel's own backoff decides whether to push now; a failure is the channel's to retry,
    so this message is done either way."""
    tasks.push_now()
