"""Metrics test fixtures: the dossier world, the signing keys of the reuse world (approvals sign), and November:
the dossiers of test_rollups.py's table, filed and processed through the real services."""

import datetime as dt

import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    confirm_payment_from_gateway,
    perform_action,
    register_direct_dossier,
    submit_dossier,
)
from motcua.dossiers.tests.factories import at, build_world
from motcua.wallet.tests.reuse_world import test_pki  # noqa: F401


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    """Run one write and deliver what it left in the outbox (the immediate task backend), as a worker would."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def november(world, counted, test_pki):  # noqa: F811  (test_pki: the signing keys, imported above)
    """The dossiers of test_rollups.py's table, filed and processed through the real services."""
    made: dict[str, str] = {}

    def file(name, when):
        dossier = counted(
            submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), now=when - dt.timedelta(minutes=30),
        )  # fmt: skip
        made[name] = dossier.code
        return dossier.code

    def act(name, actor, kind, when, **extra):
        return counted(perform_action, dossier_code=made[name], actor=actor, kind=kind, now=when, **extra)

    def receive(name, when):
        file(name, when)
        act(name, world.reception, K.RECEIVE, when)

    def approve(name, when):
        act(name, world.reception, K.HAND_OFF, when - dt.timedelta(minutes=20), assignee=world.specialist)
        act(name, world.specialist, K.HAND_OFF, when - dt.timedelta(minutes=10), assignee=world.leader)
        act(name, world.leader, K.APPROVE, when)

    def supplement(name, when):
        files = {world.version.components.order_by("position").first().pk: [world.upload()]}
        counted(perform_action, dossier_code=made[name], actor=world.owner, kind=K.SUPPLEMENT, now=when, files=files)

    def ask(name, when):
        act(name, world.reception, K.REQUEST_SUPPLEMENT, when, missing=["Bản sao giấy chứng sinh rõ nét"])

    monday = at(2026, 11, 2, 9)
    for name in ("A", "B", "C", "D", "E", "F", "F2", "H", "I", "J", "P1", "P2"):
        receive(name, monday)
    approve("A", at(2026, 11, 3, 10))
    approve("B", at(2026, 11, 5, 10))
    approve("C", at(2026, 11, 6, 10))
    ask("D", at(2026, 11, 3, 9))
    supplement("D", at(2026, 11, 9, 9))
    due_d = Dossier.objects.get(code=made["D"]).appointment_at
    approve("D", due_d - dt.timedelta(hours=1))
    ask("E", at(2026, 11, 3, 9))
    supplement("E", at(2026, 11, 4, 9))
    ask("E", at(2026, 11, 16, 9))
    ask("F", at(2026, 11, 4, 9))
    ask("F2", at(2026, 11, 9, 9))
    file("G", monday)
    act("G", world.reception, K.REFUSE, monday, comment="Không thuộc thẩm quyền")
    counted(perform_action, dossier_code=made["H"], actor=world.owner, kind=K.WITHDRAW, now=at(2026, 11, 3, 9))
    act("I", world.leader, K.STOP, at(2026, 11, 12, 9), comment="Hồ sơ giả mạo")
    receive("K", at(2026, 11, 27, 9))
    receive("L", at(2026, 10, 26, 9))
    approve("L", at(2026, 11, 3, 10))
    direct = counted(
        register_direct_dossier, officer=world.reception, applicant=world.owner, version=world.version,
        agency=world.agency, form_data=world.form, files=world.required_files(), now=monday,
    )  # fmt: skip
    made["M"] = direct.code
    approve("M", at(2026, 11, 3, 10))
    for name in ("P1", "P2"):
        act(name, world.reception, K.HAND_OFF, at(2026, 11, 3, 8), assignee=world.specialist)
        # The fee request itself (its bill is the payments part's business; the index counts the confirmation).
        act(name, world.specialist, K.REQUEST_PAYMENT, at(2026, 11, 3, 9))
    counted(
        confirm_payment_from_gateway, dossier_code=made["P1"], gateway="sandbox", txn_ref="2611030900P1",
        amount=8000, now=at(2026, 11, 3, 10),
    )  # fmt: skip
    act("P2", world.specialist, K.CONFIRM_PAYMENT, at(2026, 11, 3, 10), comment="Đã thu tiền mặt tại quầy")
    for name in ("P1", "P2"):
        act(name, world.specialist, K.HAND_OFF, at(2026, 11, 4, 9), assignee=world.leader)
        act(name, world.leader, K.APPROVE, at(2026, 11, 4, 10))
    return made
