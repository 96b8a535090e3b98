"""What the signing part does when something happens to a dossier (connected in SigningConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from motcua.dossiers.signals import dossier_approved
from motcua.signing import services


@receiver(dossier_approved, dispatch_uid="signing.issue_result_of_approved_dossier")
def issue_result_of_approved_dossier(sender, *, dossier, leader, now, **kwargs) -> None:
    """The approval and its signed result commit together: if signing fails, nothing is approved."""
    services.issue_result(dossier=dossier, leader=leader, now=now)
