"""A second field for the November world: two certification dossiers (Chứng thực) beside its civil-status ones,
so report II.06a has two field rows. Hand-computed: received 2 online (Mon 2 Nov and Mon 30 Nov, one working day
each); the first is approved on its first day (early), the second is open in time at the month's end."""

from __future__ import annotations

import datetime as dt

from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at

# (received, carried over, online, direct, resolved, early, on time, late, in progress, in time, overdue)
CIVIL_STATUS = [14, 1, 12, 1, 9, 4, 2, 3, 5, 2, 3]  # the November world (test_rollups.py)
CERTIFICATION = [2, 0, 2, 0, 1, 1, 0, 0, 1, 1, 0]
TOTAL = [a + b for a, b in zip(CIVIL_STATUS, CERTIFICATION, strict=True)]


def add_certification(world, counted) -> list[str]:
    version = publish_procedure(
        code="2.000815", name="Chứng thực bản sao từ bản chính giấy tờ", field="chung-thuc", field_name="Chứng thực"
    )
    version.procedure.agencies.add(world.agency)
    required = [requirement.pk for requirement in version.components.all() if requirement.required]
    codes = []
    for when in (at(2026, 11, 2, 9), at(2026, 11, 30, 9)):
        dossier = counted(
            submit_dossier, applicant=world.owner, version=version, agency=world.agency, form_data=world.form,
            files={pk: [world.upload()] for pk in required}, now=when - dt.timedelta(minutes=30),
        )  # fmt: skip
        counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=when)
        codes.append(dossier.code)
    first = codes[0]
    counted(perform_action, dossier_code=first, actor=world.reception, kind=K.HAND_OFF, now=at(2026, 11, 2, 10),
            assignee=world.specialist)  # fmt: skip
    counted(perform_action, dossier_code=first, actor=world.specialist, kind=K.HAND_OFF, now=at(2026, 11, 2, 11),
            assignee=world.leader)  # fmt: skip
    counted(perform_action, dossier_code=first, actor=world.leader, kind=K.APPROVE, now=at(2026, 11, 2, 15))
    return codes
