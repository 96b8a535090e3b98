"""Deadlines of a dossier, derived from its procedure version and its action log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from motcua.dossiers.models import ActionKind, Dossier, DossierAction


def supplement_pauses(
    actions: Iterable[DossierAction], *, since: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """(requested, supplemented) pairs after `since` (the receipt): the time the clock stood still."""
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
    for action in sorted(actions, key=lambda a: a.seq):
        if action.at < since:
            continue
        if action.kind == ActionKind.REQUEST_SUPPLEMENT:
            pauses.append((action.at, None))
        elif action.kind == ActionKind.SUPPLEMENT and pauses and pauses[-1][1] is None:
            pauses[-1] = (pauses[-1][0], action.at)
    return pauses


def appointment_for(dossier: Dossier, actions: Iterable[DossierAction], calendar=None) -> dt.datetime | None:
    """The legal appointment (hẹn trả kết quả): processing time from receipt, plus supplement pauses."""
    from motcua.workdays.queries import load_calendar

    if dossier.received_at is None:
        return None
    version = dossier.procedure_version
    calendar = calendar or load_calendar()
    return calendar.appointment(
        received_at=dossier.received_at,
        processing_time=version.processing_time,
        unit=version.processing_time_unit,
        counts_from_next_day_after_cutoff=version.counts_from_next_day_after_cutoff,
        pauses=supplement_pauses(actions, since=dossier.received_at),
    )


def step_deadline_for(dossier: Dossier, *, start: dt.datetime, calendar=None) -> dt.datetime | None:
    from motcua.workdays.queries import load_calendar

    if dossier.current_step is None:
        return None
    calendar = calendar or load_calendar()
    return calendar.step_deadline(
        start=start, duration=dossier.current_step.duration, unit=dossier.procedure_version.processing_time_unit
    )
