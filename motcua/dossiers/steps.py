"""Navigation among a procedure version's internal steps (bước xử lý)."""

from __future__ import annotations

from motcua.catalog.models import ProcessingStep


def _steps(dossier) -> list[ProcessingStep]:
    cached = getattr(dossier, "_motcua_steps", None)
    if cached is None:
        cached = list(ProcessingStep.objects.filter(version_id=dossier.procedure_version_id).order_by("position"))
        dossier._motcua_steps = cached
    return cached


def first_step(dossier) -> ProcessingStep | None:
    steps = _steps(dossier)
    return steps[0] if steps else None


def next_step(dossier) -> ProcessingStep | None:
    return _neighbour(dossier, +1)


def previous_step(dossier) -> ProcessingStep | None:
    return _neighbour(dossier, -1)


def _neighbour(dossier, offset: int) -> ProcessingStep | None:
    steps = _steps(dossier)
    ids = [step.pk for step in steps]
    if dossier.current_step_id not in ids:
        return None
    index = ids.index(dossier.current_step_id) + offset
    return steps[index] if 0 <= index < len(steps) else None


def approval_step(dossier) -> ProcessingStep | None:
    """The step at which the result is approved: the last leader step (steps after it return the result)."""
    leader_steps = [step for step in _steps(dossier) if step.role == "leader"]
    return leader_steps[-1] if leader_steps else None
