"""The roll-ups follow dossier actions, ratings and feedback through the outbox (registered in MetricsConfig.ready).

Transactional: the fact and the day counts change in the same transaction that marks the message delivered, so
each change is counted exactly once, after its own transaction committed (a rolled-back one counts nothing).
"""

from __future__ import annotations

from motcua.dossiers.models import Dossier
from motcua.dossiers.signals import ACTION_RECORDED
from motcua.events.registry import handler
from motcua.feedback.signals import DOSSIER_RATED, FEEDBACK_RECORDED
from motcua.metrics import rollups
from motcua.sync.signals import RECORDS_CHANGED


@handler("metrics.refresh_dossier_fact", subscribes_to=(ACTION_RECORDED, DOSSIER_RATED))
def refresh_dossier_fact(payload: dict) -> None:
    dossier_id = Dossier.objects.filter(code=payload["dossier"]).values_list("pk", flat=True).first()
    if dossier_id is not None:
        rollups.refresh_fact(dossier_id=dossier_id)


@handler("metrics.refresh_sync_counts", transactional=False, subscribes_to=(RECORDS_CHANGED,))
def refresh_sync_counts(payload: dict) -> None:
    """Dossiers' changes were recorded for the national portal or accepted there (CKMB's sync measures). Each
    dossier in its own transaction, as every other refresh (locks taken one dossier at a time, in the usual
    order); a refresh is idempotent, so running this message twice counts nothing twice."""
    for dossier_id in payload["dossiers"]:
        rollups.refresh_fact(dossier_id=dossier_id)


@handler("metrics.refresh_feedback_fact", subscribes_to=(FEEDBACK_RECORDED,))
def refresh_feedback_fact(payload: dict) -> None:
    rollups.refresh_feedback_fact(feedback_id=payload["feedback"])
