"""Dossier use cases through the services: submission, the state machine, deadlines, the log."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from motcua.dossiers.errors import ActionNotAllowed, DossierConflict, DossierInvalid
from motcua.dossiers.models import ActionKind, ComponentSource, DossierAction, DossierState
from motcua.dossiers.services import perform_action, register_direct_dossier, submit_dossier
from motcua.dossiers.tests.factories import at

S = DossierState


def submit(world, *, now=None, key=None, user=None, form=None, files=None):
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=form or world.form,
        files=files if files is not None else world.required_files(user), idempotency_key=key,
        now=now or at(2026, 11, 23, 9),
    )  # fmt: skip


def act(world, dossier, actor, kind, *, now, **kwargs):
    return perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=now, **kwargs)


def test_submission_makes_a_coded_dossier_that_pins_the_version(world):
    dossier = submit(world)
    assert re.fullmatch(r"H17\.20\.194-261123-0001", dossier.code)
    assert dossier.state == S.SUBMITTED and dossier.channel == 2 and dossier.is_full_process
    assert dossier.procedure_version == world.version
    assert dossier.applicant_identifier == "048190001234"
    assert [c.source for c in dossier.components.all()] == [ComponentSource.UPLOAD] * 2
    assert list(dossier.actions.values_list("seq", "kind", "to_state")) == [(1, "submit", 1)]
    assert submit(world, now=at(2026, 11, 23, 10)).code.endswith("-261123-0002")
    assert submit(world, now=at(2026, 11, 24, 10)).code.endswith("-261124-0001")


def test_submission_is_idempotent_by_key(world):
    first = submit(world, key="nop-1")
    again = submit(world, key="nop-1")
    assert again.pk == first.pk
    assert DossierAction.objects.filter(kind=ActionKind.SUBMIT).count() == 1


def test_invalid_form_and_missing_components_are_reported_per_field_and_nothing_is_saved(world):
    with pytest.raises(DossierInvalid) as invalid:
        submit(world, form={"child_name": "", "birth_date": "31/02/2026", "sex": "khac"}, files={})
    errors = invalid.value.errors
    assert errors["form.child_name"] == "Trường này là bắt buộc."
    assert "Ngày không hợp lệ" in errors["form.birth_date"]
    assert errors["form.sex"] == "Lựa chọn không có trong danh sách."
    assert any(key.startswith("components.") and "Còn thiếu" in message for key, message in errors.items())
    assert not world.owner.dossiers.exists()


def test_a_citizen_cannot_submit_someone_elses_documents(world):
    with pytest.raises(DossierInvalid) as invalid:
        submit(world, files=world.required_files(world.other_citizen))
    assert "Tài liệu không thuộc về bạn." in invalid.value.errors.values()


def test_full_process_with_a_supplement(world):
    dossier = submit(world, now=at(2026, 11, 23, 8, 30))
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 9))
    dossier.refresh_from_db()
    # Received Monday 23/11; Tuesday 24/11 is Vietnam Culture Day: 3 working days → Friday 27/11.
    assert dossier.appointment_at == at(2026, 11, 27, 17)
    assert dossier.state == S.RECEIVED and dossier.current_step.role == "reception"

    act(world, dossier, world.reception, ActionKind.HAND_OFF, now=at(2026, 11, 23, 10), assignee=world.specialist)
    act(
        world, dossier, world.specialist, ActionKind.REQUEST_SUPPLEMENT, now=at(2026, 11, 25, 10),
        missing=["Giấy chứng sinh bản rõ nét"], comment="Bản chụp bị mờ",
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.state == S.SUPPLEMENT_REQUESTED and dossier.paused_at == at(2026, 11, 25, 10)

    requirement = world.version.components.get(position=2)
    act(
        world, dossier, world.owner, ActionKind.SUPPLEMENT, now=at(2026, 11, 30, 9),
        files={requirement.pk: [world.upload(name="chung-sinh-ro.pdf")]},
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.state == S.PROCESSING and dossier.paused_at is None
    # The clock stood still for 26, 27 and 30 November: three working days more → Wednesday 2/12.
    assert dossier.appointment_at == at(2026, 12, 2, 17)

    act(world, dossier, world.specialist, ActionKind.HAND_OFF, now=at(2026, 11, 30, 14), assignee=world.leader)
    act(world, dossier, world.leader, ActionKind.APPROVE, now=at(2026, 12, 1, 9))
    dossier.refresh_from_db()
    assert dossier.state == S.RESULT_READY and dossier.current_step.name == "Trả kết quả"
    act(world, dossier, world.reception, ActionKind.RETURN_RESULT, now=at(2026, 12, 1, 10))
    dossier.refresh_from_db()
    assert dossier.state == S.RESULT_RETURNED and dossier.returned_at == at(2026, 12, 1, 10)
    assert list(dossier.actions.values_list("kind", flat=True)) == [
        "submit", "receive", "hand_off", "request_supplement", "supplement", "hand_off", "approve", "return_result",
    ]  # fmt: skip
    assert dossier.actions.get(kind="approve").data == {"on_time": True}
    assert dossier.components.filter(supplement_round=1).count() == 1


def test_refusal_needs_a_reason_and_ends_the_dossier(world):
    dossier = submit(world)
    with pytest.raises(DossierInvalid):
        act(world, dossier, world.reception, ActionKind.REFUSE, now=at(2026, 11, 23, 10))
    act(world, dossier, world.reception, ActionKind.REFUSE, now=at(2026, 11, 23, 10), comment="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.state == S.REFUSED and dossier.is_final
    with pytest.raises(ActionNotAllowed):
        act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 11))


def test_the_applicant_withdraws(world):
    dossier = submit(world)
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    act(world, dossier, world.owner, ActionKind.WITHDRAW, now=at(2026, 11, 23, 11), comment="Nộp nhầm")
    dossier.refresh_from_db()
    assert dossier.state == S.WITHDRAWN and dossier.current_step is None


@pytest.mark.parametrize(
    "who, kind",
    [
        ("other_citizen", ActionKind.WITHDRAW),
        ("other_officer", ActionKind.RECEIVE),
        ("specialist", ActionKind.RECEIVE),
        ("owner", ActionKind.RECEIVE),
        ("reception", ActionKind.APPROVE),
        ("reception", ActionKind.WITHDRAW),
    ],
)
def test_only_the_right_person_may_act(world, who, kind):
    dossier = submit(world)
    with pytest.raises(ActionNotAllowed):
        act(world, dossier, getattr(world, who), kind, now=at(2026, 11, 23, 10))
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED and dossier.actions.count() == 1


def test_a_stale_revision_is_a_conflict_and_logs_nothing(world):
    dossier = submit(world)
    seen = dossier.revision
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10), expected_revision=seen)
    with pytest.raises(DossierConflict):
        act(
            world, dossier, world.reception, ActionKind.REQUEST_SUPPLEMENT, now=at(2026, 11, 23, 10),
            expected_revision=seen, missing=["Tờ khai"],
        )  # fmt: skip
    assert dossier.actions.count() == 2


def test_a_retried_action_with_the_same_key_acts_once(world):
    dossier = submit(world)
    first = act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10), idempotency_key="k1")
    again = act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10), idempotency_key="k1")
    assert first.pk == again.pk and dossier.actions.count() == 2


def test_step_actions_belong_to_the_assignee(world):
    dossier = submit(world)
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    act(world, dossier, world.reception, ActionKind.HAND_OFF, now=at(2026, 11, 23, 11), assignee=world.specialist)
    from motcua.dossiers.tests.factories import make_officer

    colleague = make_officer("chuyenvien2", world.agency, "specialist")
    with pytest.raises(ActionNotAllowed):
        act(world, dossier, colleague, ActionKind.HAND_OFF, now=at(2026, 11, 23, 12))
    with pytest.raises(DossierInvalid):  # the leader step needs a leader
        act(world, dossier, world.specialist, ActionKind.HAND_OFF, now=at(2026, 11, 23, 12), assignee=colleague)
    act(world, dossier, world.specialist, ActionKind.RETURN_STEP, now=at(2026, 11, 23, 12), comment="Thiếu chữ ký")
    dossier.refresh_from_db()
    assert dossier.current_step.role == "reception" and dossier.assignee is None


def test_direct_registration_is_received_at_once_and_digitised(world):
    dossier = register_direct_dossier(
        officer=world.reception, applicant=world.owner, version=world.version, agency=world.agency,
        form_data=world.form, files=world.required_files(world.reception), now=at(2026, 11, 26, 15, 30),
    )  # fmt: skip
    assert dossier.state == S.RECEIVED and dossier.channel == 1 and not dossier.is_full_process
    assert {c.source for c in dossier.components.all()} == {ComponentSource.DIGITISED}
    # Thursday 26/11: 3 working days → 27/11, 30/11, 1/12.
    assert dossier.appointment_at == at(2026, 12, 1, 17)
    with pytest.raises(ActionNotAllowed):
        register_direct_dossier(
            officer=world.other_officer, applicant=world.owner, version=world.version, agency=world.agency,
            form_data=world.form, files={}, now=at(2026, 11, 26, 15, 30),
        )  # fmt: skip


def test_extension_moves_the_appointment_and_keeps_the_old_one_in_the_log(world):
    dossier = submit(world)
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    with pytest.raises(DossierInvalid) as invalid:
        act(world, dossier, world.leader, ActionKind.EXTEND, now=at(2026, 11, 26, 10), new_appointment=at(2026, 11, 20))
    assert set(invalid.value.errors) == {"comment", "new_appointment"}
    act(
        world, dossier, world.leader, ActionKind.EXTEND, now=at(2026, 11, 26, 10), new_appointment=at(2026, 12, 4, 17),
        comment="Cần xác minh thêm",
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.appointment_at == at(2026, 12, 4, 17)
    previous = dossier.actions.get(kind="extend").data["previous_appointment"]
    assert dt.datetime.fromisoformat(previous) == at(2026, 11, 27, 17)


def test_only_approval_moves_a_dossier_past_the_leader_step(world):
    dossier = submit(world)
    act(world, dossier, world.reception, ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    act(world, dossier, world.reception, ActionKind.HAND_OFF, now=at(2026, 11, 23, 11), assignee=world.specialist)
    with pytest.raises(ActionNotAllowed):  # the specialist cannot approve
        act(world, dossier, world.specialist, ActionKind.APPROVE, now=at(2026, 11, 23, 12))
    act(world, dossier, world.specialist, ActionKind.HAND_OFF, now=at(2026, 11, 23, 12), assignee=world.leader)
    with pytest.raises(ActionNotAllowed):  # the leader cannot skip approval by handing off to the return step
        act(world, dossier, world.leader, ActionKind.HAND_OFF, now=at(2026, 11, 23, 13))
    act(world, dossier, world.leader, ActionKind.APPROVE, now=at(2026, 11, 23, 13))
    dossier.refresh_from_db()
    assert dossier.state == S.RESULT_READY and dossier.current_step.name == "Trả kết quả"
