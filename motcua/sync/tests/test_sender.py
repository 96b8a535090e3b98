"""The sender against this instance's own receiver (loopback): a portal that lost changes gets them again from the
one it expects; a change it refuses stays refused for an operator and its successors wait without spinning; an
unreachable portal is retried after a doubling wait; a rotated instance key is picked up without a restart."""

import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.national.models import NationalChange, NationalDossier
from motcua.sync import keys, services
from motcua.sync.models import AttemptOutcome, RecordStatus, SyncAttempt, SyncChannel, SyncRecord

pytestmark = pytest.mark.django_db
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def file(world, counted):
    def run(when=None):
        return counted(
            submit_dossier, applicant=world.owner, version=world.version, agency=world.agency,
            form_data=world.form, files=world.required_files(), now=when or at(2026, 11, 2, 9),
        )  # fmt: skip

    return run


def statuses(dossier):
    return list(SyncRecord.objects.filter(dossier=dossier).order_by("seq").values_list("seq", "status"))


def now_due():
    SyncChannel.objects.update(next_attempt_at=None)


def test_a_portal_that_lost_changes_gets_them_again(world, counted, file):
    dossier = file()
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    NationalChange.objects.all().delete()
    NationalDossier.objects.all().delete()  # the national portal restored an old backup
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.HAND_OFF,
            assignee=world.specialist, now=at(2026, 11, 2, 11))  # fmt: skip
    assert statuses(dossier) == [(1, "accepted"), (2, "accepted"), (3, "accepted")]
    assert list(NationalChange.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    gap = SyncAttempt.objects.filter(gaps=1).get()
    assert (gap.accepted, gap.records.count()) == (0, 1)


def test_a_refused_change_stays_refused_and_its_successors_wait(world, counted, file, settings):
    settings.MOTCUA_SYNC_CONNECTOR, settings.MOTCUA_NATIONAL_URL = "motcua", UNREACHABLE
    dossier = file()
    record = SyncRecord.objects.get(dossier=dossier)
    record.payload = {**record.payload, "TrangThaiHoSo": 11}  # a payload the portal cannot take
    record.save(update_fields=["payload"])
    settings.MOTCUA_SYNC_CONNECTOR = "loopback"
    now_due()
    assert services.push_pending().refused == 1
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    assert statuses(dossier) == [(1, "refused"), (2, "pending")]  # held back: it would only be a gap
    other = file(at(2026, 11, 2, 9, 30))
    assert statuses(other) == [(1, "accepted")]  # the others are not held up
    assert SyncAttempt.objects.filter(records__dossier=dossier, records__seq=2).count() == 0
    # An operator sends the dossier again (after the payload was put right, here by hand): all of it goes.
    record.payload = {**record.payload, "TrangThaiHoSo": 1}
    record.save(update_fields=["payload"])
    counted(services.resend_since, since=timezone.now() - dt.timedelta(hours=1), agency_ids=[world.agency.pk])
    assert statuses(dossier) == [(1, "accepted"), (2, "accepted")]


def test_changes_the_portal_cannot_place_wait_without_spinning(world, counted, file):
    dossier = file()
    counted(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    NationalChange.objects.all().delete()
    NationalDossier.objects.all().delete()
    SyncRecord.objects.filter(dossier=dossier, seq=1).delete()  # change 1 is lost on both sides (old backups)
    SyncRecord.objects.filter(dossier=dossier, seq=2).update(status=RecordStatus.PENDING, accepted_at=None)
    assert services.push_pending().failed  # change 2 alone is a gap the portal cannot fill
    channel = SyncChannel.objects.get()
    assert channel.next_attempt_at > timezone.now() and "accepted none" in channel.last_error
    assert services.push_pending().skipped == "waiting"  # no spinning on what cannot move


def test_an_unreachable_portal_is_retried_after_a_doubling_wait(world, file, settings):
    settings.MOTCUA_SYNC_CONNECTOR, settings.MOTCUA_NATIONAL_URL = "motcua", UNREACHABLE
    dossier = file()
    waits = []
    for _ in range(3):
        now_due()
        summary = services.push_pending()
        assert summary.failed and summary.retry_in > 0
        waits.append(summary.retry_in)
    assert waits[0] < waits[1] < waits[2]  # 5, 10, 20 s ± 20 %
    assert services.push_pending().skipped == "waiting"
    assert SyncAttempt.objects.filter(outcome=AttemptOutcome.FAILED).count() == SyncChannel.objects.get().failures
    assert SyncRecord.objects.get(dossier=dossier).attempts >= 3
    settings.MOTCUA_SYNC_CONNECTOR = "loopback"
    now_due()
    assert services.push_pending().accepted == 1
    assert SyncChannel.objects.get().failures == 0


def test_a_rotated_instance_key_is_used_without_a_restart(world, file, settings, tmp_path):
    first = file()
    old_kid = keys.kid_of(keys.instance_key())
    path = tmp_path / "instance-key.pem"
    rotated = tmp_path / "next.pem"
    keys.write_private_pem(keys.new_key(), rotated)
    os.replace(rotated, path)  # the operator moves the new key over the old file
    later = time.time() + 5
    os.utime(path, (later, later))
    assert keys.kid_of(keys.instance_key()) != old_kid
    second = file(at(2026, 11, 2, 9, 30))
    assert statuses(first) == [(1, "accepted")] and statuses(second) == [(1, "accepted")]
    assert NationalChange.objects.count() == 2
