"""Two real instances — this test's (a province) and a national one in its own process and database: a dossier's
whole life appears at the national instance in order and exactly once, across a killed receiver and retries; a
forged or replayed push is refused and recorded there."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.models import DossierAction
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.sync import keys, protocol, services
from motcua.sync.connectors import MotcuaConnector
from motcua.sync.models import AttemptOutcome, RecordStatus, SyncAttempt, SyncChannel, SyncRecord
from motcua.sync.tests.instances import Instance
from motcua.wallet.tests.reuse_world import test_pki  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def national(tmp_path, settings):
    """The national instance, trusting this test's instance (code 48) and its key."""
    instance = Instance(tmp_path / "national", code="national", role="national")
    instance.manage("migrate", "--no-input", "-v", "0")
    settings.MOTCUA_SYNC_CONNECTOR, settings.MOTCUA_NATIONAL_URL = "motcua", instance.url
    settings.MOTCUA_SYNC_RETRY_BASE_SECONDS = 0.05
    settings.MOTCUA_SYNC_TIMEOUT_SECONDS = 5
    public = tmp_path / "48.pem"
    public.write_text(keys.public_pem(keys.instance_key()))
    instance.manage("peer", "add", "--code", "48", "--name", "Đà Nẵng", "--public-key", str(public))
    instance.start()
    yield instance
    instance.kill()


def national_history(national, code):
    return national.query(
        "SELECT c.seq, c.state, c.action FROM national_nationalchange c JOIN national_nationaldossier d"
        " ON d.id = c.dossier_id WHERE d.code = ? ORDER BY c.id",
        code,
    )


def push_until_sent():
    """What the worker's periodic push does, without waiting for the backoff to pass."""
    SyncChannel.objects.update(next_attempt_at=None)
    return services.push_pending()


def test_a_dossiers_life_reaches_the_national_instance_in_order_once(world, counted, national, test_pki):  # noqa: F811
    filed = at(2026, 11, 2, 9)
    dossier = counted(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=filed,
    )  # fmt: skip
    code = dossier.code

    def act(actor, kind, hours, **extra):
        return counted(perform_action, dossier_code=code, actor=actor, kind=kind, now=filed + dt.timedelta(hours=hours),
                       **extra)  # fmt: skip

    act(world.reception, K.RECEIVE, 1)
    assert [row[0] for row in national_history(national, code)] == [1, 2]

    national.kill()  # the national instance crashes: the changes wait, each failed push on record
    act(world.reception, K.REQUEST_SUPPLEMENT, 2, missing=["Bản sao giấy chứng sinh rõ nét"])
    files = {world.version.components.order_by("position").first().pk: [world.upload()]}
    counted(perform_action, dossier_code=code, actor=world.owner, kind=K.SUPPLEMENT, now=filed + dt.timedelta(hours=3),
            files=files)  # fmt: skip
    act(world.reception, K.HAND_OFF, 4, assignee=world.specialist)
    assert SyncRecord.objects.filter(dossier=dossier, status=RecordStatus.PENDING).count() == 3
    assert push_until_sent().failed
    failed = SyncAttempt.objects.filter(outcome=AttemptOutcome.FAILED)
    assert failed.count() >= 2 and all(a.records.exists() for a in failed)
    assert SyncChannel.objects.get().failures >= 2

    national.start()  # back: the next push sends what waited, then the rest of the life goes straight through
    summary = push_until_sent()
    assert (summary.failed, summary.accepted) == (False, 3)
    act(world.specialist, K.HAND_OFF, 5, assignee=world.leader)
    act(world.leader, K.APPROVE, 6)
    act(world.reception, K.RETURN_RESULT, 7)

    # A push whose answer was lost is sent again: the national instance keeps each change once.
    assert services.resend_since(since=timezone.now() - dt.timedelta(hours=1)) == 8  # pushed on commit
    resent = SyncAttempt.objects.latest("started_at")
    assert (resent.outcome, resent.duplicates, resent.accepted, resent.records.count()) == ("delivered", 8, 0, 8)

    log = list(DossierAction.objects.filter(dossier=dossier).exclude(kind=K.VIEW).order_by("seq"))
    expected = [(n, action.to_state, action.kind) for n, action in enumerate(log, start=1)]
    assert national_history(national, code) == expected
    assert [kind for _n, _state, kind in expected] == [
        "submit", "receive", "request_supplement", "supplement", "hand_off", "hand_off", "approve", "return_result",
    ]  # fmt: skip
    assert national.query("SELECT state, last_seq FROM national_nationaldossier WHERE code = ?", code) == [(10, 8)]
    assert not SyncRecord.objects.exclude(status=RecordStatus.ACCEPTED).exists()


def test_forged_and_replayed_pushes_are_refused_and_recorded(world, national):
    connector = MotcuaConnector(national.url, timeout=5)
    now = timezone.now()
    change = {"dossier": "H48.01-261102-0001", "seq": 1, "changed_at": now.isoformat(), "payload": {}}
    forged, _id = protocol.sign(
        typ=protocol.SYNC_BATCH, claims={"records": [change]}, audience="national", issuer="48", key=keys.new_key(),
        now=now,
    )  # fmt: skip
    assert (connector.send(forged).http_status, connector.send(forged).refused) == (401, "unknown_key")
    genuine, batch_id = protocol.sign(
        typ=protocol.SYNC_BATCH, claims={"records": []}, audience="national", issuer="48", key=keys.instance_key(),
        now=now,
    )  # fmt: skip
    assert connector.send(genuine).http_status == 200
    replayed = connector.send(genuine)
    assert (replayed.http_status, replayed.refused) == (409, "replay")
    rows = national.query("SELECT outcome, reason, claimed_issuer FROM national_receivedbatch ORDER BY id")
    assert rows == [
        ("refused", "unknown_key", "48"), ("refused", "unknown_key", "48"), ("accepted", "", "48"),
        ("refused", "replay", "48"),
    ]  # fmt: skip
    assert national.query("SELECT count(*) FROM national_nationaldossier") == [(0,)]
