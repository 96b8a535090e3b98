"""Thủ tục liên thông: a birth registration whose second step is the health-insurance agency's. The desk hands
the dossier to that step; it travels there as a signed package with its files; the partner processes it and the
dossier moves on to the leader, or returns it and the dossier goes back, with the reason in its log."""

import datetime as dt

import pytest

from motcua.dossiers.errors import ActionNotAllowed
from motcua.dossiers.models import SYSTEM_ROLE, Dossier
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import BIRTH_STEPS, at, build_world
from motcua.exchange.models import Direction, ExchangePackage, PackageKind, PackageStatus
from motcua.exchange.services import mark_processed, return_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_world(db, settings, tmp_path):
    """Steps: reception → the partner agency (H17.01, this instance) → specialist → leader → reception."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    partner = {"name": "Cấp thẻ bảo hiểm y tế", "role": "specialist", "duration": "0.75", "partner_agency": "H17.01"}
    review = {**BIRTH_STEPS[1], "duration": "0.75"}  # the 3 days shared with the partner's step
    return build_world(steps=[BIRTH_STEPS[0], partner, review, *BIRTH_STEPS[2:]])


@pytest.fixture
def at_partner(partner_world, delivered):
    world = partner_world
    dossier = delivered(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 2, 9),
    )  # fmt: skip
    delivered(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    delivered(perform_action, dossier_code=dossier.code, actor=world.reception, kind=K.HAND_OFF,
              now=at(2026, 11, 2, 11))  # fmt: skip
    return Dossier.objects.get(pk=dossier.pk)


def incoming(dossier) -> ExchangePackage:
    return ExchangePackage.objects.get(direction=Direction.INCOMING, dossier_code=dossier.code)


def test_the_dossier_travels_to_the_partner_with_its_files(partner_world, at_partner):
    assert at_partner.current_step.name == "Cấp thẻ bảo hiểm y tế" and at_partner.assignee is None
    sent = ExchangePackage.objects.get(direction=Direction.OUTGOING, dossier_code=at_partner.code)
    assert (sent.kind, sent.status, sent.recipient_identifier) == (
        PackageKind.INTER_AGENCY_STEP, PackageStatus.RECEIVED, partner_world.other_agency.identifier,
    )  # fmt: skip
    received = incoming(at_partner)
    assert received.agency == partner_world.other_agency and received.metadata["step"] == "Cấp thẻ bảo hiểm y tế"
    assert received.documents.count() == at_partner.components.count() > 0


def test_nobody_here_acts_at_the_partners_step(partner_world, at_partner):
    for officer, kind in ((partner_world.specialist, K.HAND_OFF), (partner_world.leader, K.APPROVE)):
        with pytest.raises(ActionNotAllowed):
            perform_action(dossier_code=at_partner.code, actor=officer, kind=kind)


def test_processed_by_the_partner_the_dossier_moves_on(partner_world, at_partner, delivered):
    delivered(mark_processed, package_id=incoming(at_partner).package_id, officer=partner_world.other_officer,
              note="Đã cấp thẻ BHYT số GD4797912345678")  # fmt: skip
    dossier = Dossier.objects.get(pk=at_partner.pk)
    assert dossier.current_step.name == "Thẩm định, trình ký"
    moved = dossier.actions.order_by("-seq").first()
    assert (moved.kind, moved.actor_id, moved.actor_role) == (K.HAND_OFF, None, SYSTEM_ROLE)
    assert "H17.01 đã xử lý xong bước “Cấp thẻ bảo hiểm y tế”" in moved.comment
    # The answer again (a retried delivery) moves nothing more.
    from motcua.exchange import partner_steps

    sent = ExchangePackage.objects.get(direction=Direction.OUTGOING, dossier_code=dossier.code)
    partner_steps.settle(package_pk=sent.pk)
    assert Dossier.objects.get(pk=dossier.pk).actions.count() == dossier.actions.count()
    perform_action(dossier_code=dossier.code, actor=partner_world.specialist, kind=K.HAND_OFF,
                   assignee=partner_world.leader)  # fmt: skip


def test_returned_by_the_partner_the_dossier_goes_back(partner_world, at_partner, delivered):
    delivered(return_package, package_id=incoming(at_partner).package_id, officer=partner_world.other_officer,
              reason="Thiếu số định danh của trẻ")  # fmt: skip
    dossier = Dossier.objects.get(pk=at_partner.pk)
    assert dossier.current_step.name == "Tiếp nhận hồ sơ"
    back = dossier.actions.order_by("-seq").first()
    assert back.kind == K.RETURN_STEP and "Thiếu số định danh của trẻ" in back.comment


def test_a_partner_step_is_never_assigned_here(partner_world, delivered):
    world = partner_world
    dossier = delivered(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 2, 9) + dt.timedelta(minutes=5),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    from motcua.dossiers.errors import DossierInvalid

    with pytest.raises(DossierInvalid) as refused:
        perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.HAND_OFF, assignee=world.specialist)
    assert "assignee" in refused.value.errors
