"""The exchange's outbox handlers: deliveries reach another instance (or this one's receiver), so they run outside
any transaction, at least once; both are idempotent (a package already delivered, or a status already reported,
is skipped; the receiver refuses a second copy and hands back its receipt). Inter-agency steps (partner_steps) follow
dossier moves and the partner's answers inside the outbox's transaction."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from motcua.dossiers.signals import ACTION_RECORDED
from motcua.events.registry import handler
from motcua.exchange import partner_steps, services
from motcua.exchange.signals import PACKAGE_SETTLED


def _package_given_up(payload: dict) -> None:
    services.record_delivery_failure(
        package_pk=payload["package"],
        error=f"given up after {settings.MOTCUA_OUTBOX_MAX_ATTEMPTS} attempts; an operator may retry it",
        now=timezone.now(),
    )


@handler(services.DELIVER_PACKAGE, transactional=False, on_dead=_package_given_up)
def deliver_package(payload: dict) -> None:
    services.deliver_package(package_pk=payload["package"])


@handler(services.DELIVER_STATUS, transactional=False)
def deliver_status(payload: dict) -> None:
    services.deliver_status(event_pk=payload["event"])


@handler("exchange.forward_partner_step", subscribes_to=(ACTION_RECORDED,))
def forward_partner_step(payload: dict) -> None:
    """Transactional: the package is written and its delivery queued exactly once per move."""
    if payload.get("kind") in partner_steps.MOVES:
        partner_steps.forward(action_id=payload["action"])


@handler("exchange.settle_partner_step", subscribes_to=(PACKAGE_SETTLED,))
def settle_partner_step(payload: dict) -> None:
    partner_steps.settle(package_pk=payload["package"])
