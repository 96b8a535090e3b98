"""Reads of the exchange that the API (and later the back office) share: an officer sees the packages of the
agencies where they hold an active role, sent or received; anything else is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.dossiers.policy import officer_roles
from motcua.exchange.models import ExchangePackage


def visible_packages(user, *, direction: str | None = None, status: str | None = None) -> QuerySet[ExchangePackage]:
    packages = ExchangePackage.objects.filter(agency_id__in=list(officer_roles(user)))
    if direction:
        packages = packages.filter(direction=direction)
    if status:
        packages = packages.filter(status=status)
    return packages.select_related("agency").order_by("-created_at", "-pk")


def get_visible_package(user, package_id, *, direction: str | None = None) -> ExchangePackage:
    """One package the user may see (outgoing first when this instance holds both copies); DoesNotExist if none."""
    packages = visible_packages(user, direction=direction).filter(package_id=package_id)
    package = packages.prefetch_related("documents", "events").select_related("receipt").order_by("-direction").first()
    if package is None:
        raise ExchangePackage.DoesNotExist(package_id)
    return package
