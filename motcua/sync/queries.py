"""Reads of the national-portal connector shared by the operators' pages: the channel's state, what waits, what
was refused, the latest pushes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from motcua.sync.models import RecordStatus, SyncAttempt, SyncChannel, SyncRecord
from motcua.sync.services import NATIONAL_CHANNEL


@dataclass(frozen=True)
class ChannelHealth:
    """The connector at a glance: how much waits and since when, what was refused, how the last pushes went."""

    channel: SyncChannel | None
    pending: int
    refused: int
    oldest_pending_at: dt.datetime | None
    recent_attempts: list[SyncAttempt]

    @property
    def waiting(self) -> bool:
        return bool(self.channel and self.channel.next_attempt_at)


def channel_health(*, attempts: int = 20) -> ChannelHealth:
    """Three queries whatever the number of records (the pending and refused counts use the partial index)."""
    counts = SyncRecord.objects.filter(status__in=[RecordStatus.PENDING, RecordStatus.REFUSED]).aggregate(
        pending=Count("pk", filter=Q(status=RecordStatus.PENDING)),
        refused=Count("pk", filter=Q(status=RecordStatus.REFUSED)),
        oldest=Min("created_at", filter=Q(status=RecordStatus.PENDING)),
    )
    recent = list(SyncAttempt.objects.order_by("-started_at", "-pk")[:attempts])
    return ChannelHealth(
        channel=SyncChannel.objects.filter(name=NATIONAL_CHANNEL).first(), pending=counts["pending"],
        refused=counts["refused"], oldest_pending_at=counts["oldest"], recent_attempts=recent,
    )  # fmt: skip


def refused_records(*, limit: int = 50) -> list[SyncRecord]:
    return list(
        SyncRecord.objects.filter(status=RecordStatus.REFUSED).select_related("dossier").order_by("-pk")[:limit]
    )
