"""The one lock helper: rows that a write will change are locked in one fixed order, so that two
transactions touching the same rows can never wait on each other in a cycle (deadlock).

On PostgreSQL this is SELECT ... FOR UPDATE; on SQLite the whole write transaction already holds the
database's write lock (transaction_mode IMMEDIATE), and FOR UPDATE is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

# Models in the order their rows are locked. A write that needs rows of two models locks the earlier first.
LOCK_ORDER: tuple[str, ...] = (
    "catalog.procedure",
    "dossiers.dossiercodecounter",
    "dossiers.dossier",
    "sync.dossiersyncstate",
    "national.nationaldossier",
    "exchange.exchangepackage",
    "payments.bill",
    "payments.payment",
    "wallet.share",
    "wallet.rightsrequest",
)


def _rank(model: type[models.Model]) -> int:
    label = model._meta.label_lower
    if label not in LOCK_ORDER:
        raise ValueError(f"{label} has no place in LOCK_ORDER; add it there before locking its rows.")
    return LOCK_ORDER.index(label)


def lock_rows(*targets: tuple[type[models.Model], Iterable]) -> dict[type[models.Model], list[models.Model]]:
    """Lock the rows with these primary keys, model by model in LOCK_ORDER and by primary key within a model.

    Must run inside a transaction. Returns the locked rows, freshly read, per model.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_rows() must be called inside transaction.atomic().")
    locked: dict[type[models.Model], list[models.Model]] = {}
    for model, pks in sorted(targets, key=lambda target: _rank(target[0])):
        locked[model] = list(model.objects.select_for_update().filter(pk__in=list(pks)).order_by("pk"))
    return locked


def lock_one(model: type[models.Model], **lookup) -> models.Model:
    """Lock and return the one row matching `lookup` (raises model.DoesNotExist)."""
    _rank(model)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_one() must be called inside transaction.atomic().")
    return model.objects.select_for_update().get(**lookup)
