"""Compliance-cost test fixtures: the unit costs and default profiles (reloaded after a transactional test emptied
the tables), and the metrics' November world with one dossier that reuses a warehouse document."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.metrics.tests.conftest import counted, november, world  # noqa: F401  (the metrics' November world)
from motcua.regulations import defaults
from motcua.wallet.tests.reuse_world import consent, id_card, test_pki  # noqa: F401


@pytest.fixture(autouse=True)
def cost_defaults(db):
    defaults.ensure()  # a transactional test before this one emptied the tables migrations filled


@pytest.fixture
def reused(world, november, id_card, counted):  # noqa: F811
    """Hoa files "Cấp thẻ căn cước" online on 10/11 with her birth certificate taken from her warehouse (issued by
    a November approval) and the desk receives it: one more online dossier, one component reused."""
    consent(world.owner)
    form = {"full_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "national_id": world.owner.citizen_id}
    dossier = counted(
        submit_dossier, applicant=world.owner, version=id_card, agency=world.agency, form_data=form, files={},
        now=at(2026, 11, 10, 8, 30),
    )  # fmt: skip
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 10, 9))
    return dossier
