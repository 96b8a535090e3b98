"""Reads of notifications (thông báo) for the pages that list or count them."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.notify.models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
