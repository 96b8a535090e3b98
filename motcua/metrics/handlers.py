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


@handler("metrics.refresh_dossier_fact", subscribes_to=(ACTION_RECORDED, DOSSIER_RATED))
def refresh_dossier_fact(payload: dict) -> None:
    dossier_id = Dossier.objects.filter(code=payload["dossier"]).values_list("pk", flat=True).first()
    if dossier_id is not None:
        rollups.refresh_fact(dossier_id=dossier_id)


@handler("metrics.refresh_feedback_fact", subscribes_to=(FEEDBACK_RECORDED,))
def refresh_feedback_fact(payload: dict) -> None:
    rollups.refresh_feedback_fact(feedback_id=payload["feedback"])
