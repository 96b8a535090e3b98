"""Reads of the national instance: the public status lookup and each instance's sync health."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q

from motcua.national.models import BatchOutcome, NationalChange, NationalDossier, ReceivedBatch
from motcua.sync.models import PeerInstance


def is_national_portal() -> bool:
    """This instance serves the national portal's pages: it runs as the national instance, or (development, the
    loopback connector) it is its own national portal."""
    return settings.MOTCUA_ROLE == "national" or settings.MOTCUA_SYNC_CONNECTOR == "loopback"


def lookup(*, code: str, id_last4: str) -> NationalDossier | None:
    """Tra cứu trên Cổng quốc gia: the dossier whose code matches and whose applicant's ID (or tax code) ends with
    these 4 digits — as the local lookup asks, so the national one reveals no more."""
    code, id_last4 = (code or "").strip().upper(), (id_last4 or "").strip()
    if not code or len(id_last4) != 4 or not id_last4.isdigit():
        return None
    dossier = NationalDossier.objects.filter(code=code).first()
    identifier = str((dossier.payload or {}).get("MaDoiTuong", "")) if dossier is not None else ""
    if dossier is None or len(identifier) < 4 or not hmac.compare_digest(identifier[-4:], id_last4):
        return None
    return dossier


def history(dossier: NationalDossier) -> list[dict]:
    """The processing history the instance sent with the dossier's latest change (public entries only)."""
    return [
        {"at": entry.get("ThoiDiemXuLy", ""), "action": entry.get("HanhDong", ""), "state": entry.get("TrangThai"),
         "where": entry.get("PhongBanXuLy", "")}
        for entry in (dossier.payload or {}).get("QuaTrinhXuLy", [])
        if entry.get("HanhDong") != "view"
    ]  # fmt: skip


@dataclass(frozen=True)
class InstanceHealth:
    peer: PeerInstance
    dossiers: int
    changes: int
    max_lag: dt.timedelta | None
    last_accepted_at: dt.datetime | None
    refused: int

    @property
    def max_lag_seconds(self) -> int | None:
        return int(self.max_lag.total_seconds()) if self.max_lag is not None else None


def instance_health(*, since: dt.datetime) -> list[InstanceHealth]:
    """Per registered instance, since `since`: changes received, the worst lag (received − changed), the last
    accepted push and the refused ones. A fixed number of queries, whatever the number of instances."""
    peers = list(PeerInstance.objects.order_by("code"))
    lag = ExpressionWrapper(F("received_at") - F("changed_at"), output_field=DurationField())
    changes = {
        row["dossier__peer_id"]: row
        for row in NationalChange.objects.filter(received_at__gte=since)
        .values("dossier__peer_id")
        .annotate(count=Count("pk"), max_lag=Max(lag))
        .order_by()
    }
    dossiers = dict(
        NationalDossier.objects.values("peer_id").annotate(count=Count("pk")).order_by().values_list("peer_id", "count")
    )
    batches = {
        row["peer_id"]: row
        for row in ReceivedBatch.objects.filter(received_at__gte=since, peer__isnull=False)
        .values("peer_id")
        .annotate(
            last_accepted=Max("received_at", filter=Q(outcome=BatchOutcome.ACCEPTED)),
            refused=Count("pk", filter=Q(outcome=BatchOutcome.REFUSED)),
        )
        .order_by()
    }
    return [
        InstanceHealth(
            peer=peer, dossiers=dossiers.get(peer.pk, 0), changes=changes.get(peer.pk, {}).get("count", 0),
            max_lag=changes.get(peer.pk, {}).get("max_lag"),
            last_accepted_at=batches.get(peer.pk, {}).get("last_accepted"),
            refused=batches.get(peer.pk, {}).get("refused", 0),
        )
        for peer in peers
    ]  # fmt: skip


def refused_batches(*, since: dt.datetime, limit: int = 50) -> list[ReceivedBatch]:
    """The latest refused pushes, including those from no registered instance (forgeries)."""
    return list(
        ReceivedBatch.objects.filter(outcome=BatchOutcome.REFUSED, received_at__gte=since)
        .select_related("peer")
        .order_by("-received_at", "-pk")[:limit]
    )
