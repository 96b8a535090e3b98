"""A dossier's life reaches this instance's own national receiver (the development connector), in order."""

import datetime as dt

import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.national.models import NationalChange, NationalDossier, ReceivedBatch
from motcua.sync.models import RecordStatus, SyncAttempt, SyncRecord

pytestmark = pytest.mark.django_db


def test_each_change_is_recorded_in_order_and_accepted(world, counted):
    filed_at = at(2026, 11, 2, 9)
    dossier = counted(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=filed_at,
    )  # fmt: skip
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE,
            now=filed_at + dt.timedelta(hours=1))  # fmt: skip
    records = list(SyncRecord.objects.filter(dossier=dossier).order_by("seq"))
    assert [(r.seq, r.state, r.status) for r in records] == [(1, 1, "accepted"), (2, 2, "accepted")]
    national = NationalDossier.objects.get(code=dossier.code)
    assert national.state == 2 and national.last_seq == 2
    assert national.payload["MaCoQuan"] == world.agency.identifier
    assert [c.seq for c in NationalChange.objects.filter(dossier=national).order_by("seq")] == [1, 2]
    assert ReceivedBatch.objects.filter(outcome="accepted").count() == SyncAttempt.objects.count() == 2
    assert not SyncRecord.objects.filter(status=RecordStatus.PENDING).exists()
