"""Who handles what leaves a transaction: outbox handlers by name, and the events each one subscribes to.

Apps register in their AppConfig.ready() (through a `handlers` module), so the producer of an event never
imports its consumers: dossiers publish "dossier.filed", notify and metrics decide to listen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Handler:
    """One kind of work a worker does for an outbox message.

    transactional: the handler only writes to this database, so it runs inside the transaction that marks the
    message delivered and takes effect exactly once. Otherwise it reaches outside (mail, a gateway, another
    instance) and runs outside any transaction, at least once: it must be idempotent on the message's key.
    on_dead: called (in a transaction) with the payload when the message is given up on.
    """

    name: str
    run: Callable[[dict], None]
    transactional: bool = True
    max_attempts: int | None = None
    on_dead: Callable[[dict], None] | None = None


_handlers: dict[str, Handler] = {}
_subscribers: dict[str, list[str]] = {}


def handler(
    name: str,
    *,
    transactional: bool = True,
    max_attempts: int | None = None,
    on_dead: Callable[[dict], None] | None = None,
    subscribes_to: tuple[str, ...] = (),
) -> Callable[[Callable[[dict], None]], Callable[[dict], None]]:
    """Register the decorated function as the outbox handler `name` (and subscribe it to events)."""

    def register(run: Callable[[dict], None]) -> Callable[[dict], None]:
        existing = _handlers.get(name)
        if existing is not None and existing.run is not run:
            raise ValueError(f"Outbox handler {name!r} is registered twice.")
        _handlers[name] = Handler(
            name=name, run=run, transactional=transactional, max_attempts=max_attempts, on_dead=on_dead
        )
        for event in subscribes_to:
            names = _subscribers.setdefault(event, [])
            if name not in names:
                names.append(name)
        return run

    return register


def get_handler(name: str) -> Handler:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"No outbox handler is registered as {name!r}.") from None


def subscribers(event: str) -> list[str]:
    """The handler names that receive `event`, in registration order."""
    return list(_subscribers.get(event, ()))
