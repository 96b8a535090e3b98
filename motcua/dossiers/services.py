"""Every write to a dossier: one function per use case, keyword-only arguments, one transaction.

Each change appends a DossierAction and updates the Dossier projection in the same transaction, under
a lock on the dossier row, so two officers acting at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User, UserKind
from motcua.catalog.models import Agency, ProcedureVersion
from motcua.core.locking import lock_one
from motcua.documents.models import StoredDocument
from motcua.dossiers import deadlines, policy, queries
from motcua.dossiers.eform import FormDataInvalid, clean_form_data
from motcua.dossiers.errors import ActionNotAllowed, DossierConflict, DossierInvalid
from motcua.dossiers.models import (
    SYSTEM_ROLE,
    ActionKind,
    ChannelCode,
    ComponentSource,
    Dossier,
    DossierAction,
    DossierCodeCounter,
    DossierComponent,
    DossierState,
    Draft,
)
from motcua.dossiers.signals import ACTION_RECORDED, dossier_approved, dossier_closed, dossier_filed
from motcua.dossiers.steps import first_step, next_step, previous_step
from motcua.dossiers.transitions import APPLICANT, PUBLIC_ACTION_KINDS, TRANSITIONS
from motcua.events import services as events
from motcua.notify.services import notify
from motcua.wallet import prefill as wallet_prefill
from motcua.wallet import queries as wallet_queries
from motcua.wallet import services as wallet
from motcua.wallet.models import AccessorKind

ComponentFiles = Mapping[int, Sequence[StoredDocument]]


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def allocate_dossier_code(*, agency: Agency, day: dt.date) -> str:
    """Next code {agency identifier}-{yymmdd}-{NNNN}: gap-free per agency and day.

    Must run in the submitting transaction: the counter row stays locked until it commits, and a
    rolled-back submission gives its number back.
    """
    DossierCodeCounter.objects.bulk_create([DossierCodeCounter(agency=agency, day=day)], ignore_conflicts=True)
    counter = lock_one(DossierCodeCounter, agency=agency, day=day)
    if counter.last >= 9999:
        raise DossierInvalid(_("Cơ quan đã tiếp nhận tối đa 9.999 hồ sơ trong ngày."))
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency.identifier}-{day:%y%m%d}-{counter.last:04d}"


def _applicant_identifier(applicant: User) -> str:
    if applicant.kind == UserKind.ORGANISATION:
        return applicant.tax_code or ""
    return applicant.citizen_id or ""


def _check_components(
    version: ProcedureVersion, files: ComponentFiles, *, owner: User | None, partial: bool = False
) -> dict[str, str]:
    errors: dict[str, str] = {}
    requirements = {requirement.pk: requirement for requirement in version.components.all()}
    for requirement_id, documents in files.items():
        if requirement_id not in requirements:
            errors[f"components.{requirement_id}"] = _("Thành phần hồ sơ không thuộc thủ tục này.")
        elif owner is not None and any(document.owner_id != owner.pk for document in documents):
            errors[f"components.{requirement_id}"] = _("Tài liệu không thuộc về bạn.")
    if not partial:
        for requirement in requirements.values():
            if requirement.required and not files.get(requirement.pk):
                errors[f"components.{requirement.pk}"] = _("Còn thiếu: %(name)s.") % {"name": requirement.name}
    return errors


def _clean(version: ProcedureVersion, form_data: Any, files: ComponentFiles, *, owner: User | None) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    try:
        cleaned = clean_form_data(version.form_schema, form_data)
    except FormDataInvalid as exc:
        errors.update({f"form.{key}": message for key, message in exc.errors.items()})
    errors.update(_check_components(version, files, owner=owner))
    if errors:
        raise DossierInvalid(_("Hồ sơ chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=errors)
    return cleaned


def _check_agency(version: ProcedureVersion, agency: Agency) -> None:
    if not version.procedure.agencies.filter(pk=agency.pk).exists():
        raise DossierInvalid(
            _("%(agency)s không tiếp nhận thủ tục này.") % {"agency": agency.name},
            errors={"agency": _("Hãy chọn cơ quan tiếp nhận thủ tục này.")},
        )


def _append(
    dossier: Dossier,
    *,
    kind: str,
    actor: User | None,
    role: str,
    at: dt.datetime,
    from_state: int | None,
    comment: str = "",
    data: dict | None = None,
    idempotency_key: str | None = None,
    assignee: User | None = None,
) -> DossierAction:
    last_seq = dossier.actions.order_by("-seq").values_list("seq", flat=True).first() or 0
    action = DossierAction.objects.create(
        dossier=dossier,
        seq=last_seq + 1,
        kind=kind,
        from_state=from_state,
        to_state=dossier.state,
        actor=actor,
        actor_role=role,
        actor_agency=dossier.agency if role != APPLICANT else None,
        at=at,
        comment=comment,
        step=dossier.current_step,
        assignee=assignee,
        data=data or {},
        idempotency_key=idempotency_key,
    )
    if kind in PUBLIC_ACTION_KINDS:
        _notify_applicant(dossier, action)
    if kind != ActionKind.VIEW:  # a read is logged, but changes nothing anyone downstream follows
        events.publish(
            event=ACTION_RECORDED,
            payload={"action": action.pk, "dossier": dossier.code, "kind": kind, "to_state": dossier.state},
            key=str(action.pk),
        )
    return action


def _notify_applicant(dossier: Dossier, action: DossierAction) -> None:
    """Every change the applicant should know of becomes a notification, in this same transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Hồ sơ %(code)s: %(state)s") % {"code": dossier.code, "state": DossierState(dossier.state).label}
        lines = [ActionKind(action.kind).label + "."]
        if action.data.get("missing"):
            lines.append(_("Cần bổ sung:") + "\n" + "\n".join(f"- {item}" for item in action.data["missing"]))
        if action.comment and action.kind != ActionKind.SUBMIT:
            lines.append(action.comment)
        if dossier.appointment_at and action.kind in (
            ActionKind.RECEIVE,
            ActionKind.REGISTER_DIRECT,
            ActionKind.EXTEND,
        ):
            local = timezone.localtime(dossier.appointment_at)
            lines.append(_("Hẹn trả kết quả: %(when)s.") % {"when": f"{local:%H:%M %d/%m/%Y}"})
    notify(
        user=dossier.applicant, title=title, body="\n\n".join(lines), link=f"/dossiers/{dossier.code}/", now=action.at
    )


def _add_components(
    dossier: Dossier,
    files: ComponentFiles,
    *,
    source: str,
    at: dt.datetime,
    round_: int,
    reused: set[str] = frozenset(),
) -> None:
    """The dossier's components; a document taken from the applicant's warehouse is recorded as reused."""
    DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier, requirement_id=requirement_id, document=document,
            source=ComponentSource.REUSED if str(document.pk) in reused else source,
            supplement_round=round_, added_at=at,
        )
        for requirement_id, documents in files.items()
        for document in documents
    )  # fmt: skip


def _documents_in_wallet(files: ComponentFiles) -> set[str]:
    ids = [document.pk for documents in files.values() for document in documents]
    return {str(pk) for pk in wallet_queries.documents_in_wallet(ids)}


def _keep_in_wallet(applicant: User, version: ProcedureVersion, files: ComponentFiles, *, now: dt.datetime) -> None:
    requirements = {requirement.pk: requirement for requirement in version.components.all()}
    wallet.keep_submitted_documents(
        owner=applicant,
        documents=[
            (document, requirements[requirement_id].document_type, requirements[requirement_id].name)
            for requirement_id, documents in files.items()
            if requirement_id in requirements
            for document in documents
        ],
        now=now,
    )


def submit_dossier(
    *,
    applicant: User,
    version: ProcedureVersion,
    agency: Agency,
    form_data: Any,
    files: ComponentFiles,
    idempotency_key: str | None = None,
    draft: Draft | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Nộp hồ sơ trực tuyến. Idempotent by key: the same key (a double click, a retry) makes one dossier."""
    now = now or timezone.now()
    if applicant.kind not in (UserKind.CITIZEN, UserKind.ORGANISATION):
        raise ActionNotAllowed(_("Chỉ công dân, tổ chức mới nộp được hồ sơ."))
    if idempotency_key:
        existing = Dossier.objects.filter(applicant=applicant, submission_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not version.is_current:
        raise DossierInvalid(
            _("Thủ tục vừa được cập nhật phiên bản mới; hãy mở lại biểu mẫu để nộp theo phiên bản mới.")
        )
    if not version.channel_online:
        raise ActionNotAllowed(_("Thủ tục này không nhận hồ sơ trực tuyến."))
    files = queries.with_verified_documents(applicant, version, files)
    cleaned = _clean(version, form_data, files, owner=applicant)
    altered = wallet_prefill.altered_verified_values(applicant, version.form_schema, cleaned)
    if altered:
        raise DossierInvalid(_("Hồ sơ chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=altered)
    _check_agency(version, agency)
    verified = {
        key: value.document_id for key, value in wallet_prefill.verified_values(applicant, version.form_schema).items()
    }
    reused = _documents_in_wallet(files)
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=allocate_dossier_code(agency=agency, day=local_day(now)),
                procedure_version=version,
                agency=agency,
                applicant=applicant,
                applicant_name=applicant.full_name or applicant.get_username(),
                applicant_identifier=_applicant_identifier(applicant),
                channel=ChannelCode.ONLINE,
                is_full_process=version.service_level == "full",
                state=DossierState.SUBMITTED,
                form_data=cleaned,
                submitted_at=now,
                submission_key=idempotency_key,
            )
            _add_components(dossier, files, source=ComponentSource.UPLOAD, at=now, round_=0, reused=reused)
            _keep_in_wallet(applicant, version, files, now=now)
            _append(
                dossier, kind=ActionKind.SUBMIT, actor=applicant, role=APPLICANT, at=now, from_state=None,
                data={"channel": ChannelCode.ONLINE, "verified_fields": verified, "reused_documents": sorted(reused)},
                idempotency_key=idempotency_key,
            )  # fmt: skip
            dossier_filed.send(sender=Dossier, dossier=dossier, now=now)
            if draft is not None:
                Draft.objects.filter(pk=draft.pk, applicant=applicant).delete()
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its dossier.
        if idempotency_key:
            existing = Dossier.objects.filter(applicant=applicant, submission_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return dossier


def register_direct_dossier(
    *,
    officer: User,
    applicant: User,
    version: ProcedureVersion,
    agency: Agency,
    form_data: Any,
    files: ComponentFiles,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Tiếp nhận trực tiếp: a reception officer registers a walk-in's paper dossier, scanned (digitised)."""
    now = now or timezone.now()
    if "reception" not in policy.officer_roles(officer).get(agency.pk, set()):
        raise ActionNotAllowed(_("Chỉ cán bộ tiếp nhận của cơ quan mới tiếp nhận trực tiếp được."))
    if idempotency_key:
        existing = Dossier.objects.filter(applicant=applicant, submission_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not version.channel_direct or not version.is_current:
        raise ActionNotAllowed(_("Thủ tục này không nhận hồ sơ trực tiếp."))
    cleaned = _clean(version, form_data, files, owner=None)
    _check_agency(version, agency)
    try:
        with transaction.atomic():
            dossier = Dossier(
                code=allocate_dossier_code(agency=agency, day=local_day(now)),
                procedure_version=version,
                agency=agency,
                applicant=applicant,
                applicant_name=applicant.full_name or applicant.get_username(),
                applicant_identifier=_applicant_identifier(applicant),
                channel=ChannelCode.DIRECT,
                is_full_process=False,
                state=DossierState.RECEIVED,
                form_data=cleaned,
                submitted_at=now,
                received_at=now,
                submission_key=idempotency_key,
                assignee=officer,
            )
            dossier.current_step = first_step(dossier)
            dossier.appointment_at = deadlines.appointment_for(dossier, [])
            dossier.step_started_at = now
            dossier.step_deadline = deadlines.step_deadline_for(dossier, start=now)
            dossier.save()
            _add_components(dossier, files, source=ComponentSource.DIGITISED, at=now, round_=0)
            _append(
                dossier, kind=ActionKind.REGISTER_DIRECT, actor=officer, role="reception", at=now, from_state=None,
                data={
                    "channel": ChannelCode.DIRECT,
                    "appointment_at": _iso(dossier.appointment_at),
                    "step_deadline": _iso(dossier.step_deadline),
                },
                idempotency_key=idempotency_key, assignee=officer,
            )  # fmt: skip
            dossier_filed.send(sender=Dossier, dossier=dossier, now=now)
    except IntegrityError:
        # A concurrent registration with the same key won the race: answer with its dossier.
        existing = (
            idempotency_key and Dossier.objects.filter(applicant=applicant, submission_key=idempotency_key).first()
        )
        if existing:
            return existing
        raise
    return dossier


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def perform_action(
    *,
    dossier_code: str,
    actor: User,
    kind: str,
    comment: str = "",
    expected_revision: int | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    missing: Sequence[str] = (),
    requirements: Sequence[int] = (),
    assignee: User | None = None,
    new_appointment: dt.datetime | None = None,
    files: ComponentFiles | None = None,
) -> DossierAction:
    """Take one action on a dossier, if the state machine and the actor's role allow it.

    `expected_revision` (the revision the actor saw) turns a lost race into DossierConflict; an
    `idempotency_key` already used on this dossier returns the earlier action instead of acting twice.
    """
    now = now or timezone.now()
    if kind not in TRANSITIONS:
        raise ActionNotAllowed(_("Hành động không hợp lệ."))
    comment = (comment or "").strip()[:4000]
    with transaction.atomic():
        try:
            dossier = lock_one(Dossier, code=dossier_code)
        except Dossier.DoesNotExist:
            raise ActionNotAllowed(_("Không tìm thấy hồ sơ.")) from None
        if not policy.visible_dossiers(actor).filter(pk=dossier.pk).exists():
            raise ActionNotAllowed(_("Không tìm thấy hồ sơ."))
        if idempotency_key:
            earlier = dossier.actions.filter(idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        if expected_revision is not None and expected_revision != dossier.revision:
            raise DossierConflict(_("Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang và thử lại."))
        role = policy.role_for_action(actor, dossier, kind)
        if role is None:
            raise ActionNotAllowed(
                _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(state)s”.")
                % {"action": ActionKind(kind).label, "state": DossierState(dossier.state).label}
            )
        action = _APPLY[kind](
            dossier, actor=actor, role=role, now=now, comment=comment, missing=list(missing),
            requirements=list(requirements), assignee=assignee,
            new_appointment=new_appointment, files=files or {}, idempotency_key=idempotency_key,
        )  # fmt: skip
        return action


def _save_and_log(dossier: Dossier, *, kind: str, from_state: int, **log) -> DossierAction:
    dossier.revision += 1
    dossier.save()
    return _append(dossier, kind=kind, from_state=from_state, **log)


def _start_step(dossier: Dossier, step, *, now: dt.datetime, assignee: User | None) -> None:
    dossier.current_step = step
    dossier.assignee = assignee
    dossier.step_started_at = now if step else None
    dossier.step_deadline = deadlines.step_deadline_for(dossier, start=now) if step else None


def _receive(dossier, *, actor, role, now, comment, idempotency_key, **_unused) -> DossierAction:
    from_state = dossier.state
    dossier.state = DossierState.RECEIVED
    dossier.received_at = now
    dossier.appointment_at = deadlines.appointment_for(dossier, [])
    _start_step(dossier, first_step(dossier), now=now, assignee=actor)
    return _save_and_log(
        dossier, kind=ActionKind.RECEIVE, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
        data={"appointment_at": _iso(dossier.appointment_at), "step_deadline": _iso(dossier.step_deadline)},
        idempotency_key=idempotency_key, assignee=actor,
    )  # fmt: skip


def _request_supplement(
    dossier, *, actor, role, now, comment, missing, requirements, idempotency_key, **_unused
) -> DossierAction:
    missing = [item.strip()[:500] for item in missing if item and item.strip()]
    if not missing:
        raise DossierInvalid(
            _("Hãy ghi rõ từng giấy tờ còn thiếu hoặc cần hoàn thiện."),
            errors={"missing": _("Cần ít nhất một mục.")},
        )
    # The components to upload again, when the officer names them: the applicant is offered only those.
    known = set(dossier.procedure_version.components.values_list("pk", flat=True))
    requirements = sorted({int(pk) for pk in requirements})
    if any(pk not in known for pk in requirements):
        raise DossierInvalid(
            _("Thành phần hồ sơ không thuộc thủ tục này."),
            errors={"requirements": _("Thành phần hồ sơ không thuộc thủ tục này.")},
        )
    from_state = dossier.state
    dossier.resume_state = from_state
    dossier.state = DossierState.SUPPLEMENT_REQUESTED
    dossier.paused_at = now
    dossier.supplement_count += 1
    return _save_and_log(
        dossier, kind=ActionKind.REQUEST_SUPPLEMENT, from_state=from_state, actor=actor, role=role, at=now,
        comment=comment, data={"missing": missing, "requirements": requirements, "round": dossier.supplement_count},
        idempotency_key=idempotency_key,
    )  # fmt: skip


def _supplement(dossier, *, actor, role, now, comment, files, idempotency_key, **_unused) -> DossierAction:
    errors = _check_components(dossier.procedure_version, files, owner=dossier.applicant, partial=True)
    if not files:
        errors["components"] = _("Hãy tải lên ít nhất một giấy tờ bổ sung.")
    requested = queries.requested_components(dossier)
    for requirement_id in files:
        if requested and requirement_id not in requested:
            errors[f"components.{requirement_id}"] = _("Cơ quan không yêu cầu bổ sung thành phần này.")
    if errors:
        raise DossierInvalid(_("Giấy tờ bổ sung chưa hợp lệ."), errors=errors)
    from_state = dossier.state
    dossier.state = dossier.resume_state or DossierState.SUBMITTED
    dossier.resume_state = None
    dossier.paused_at = None
    _add_components(dossier, files, source=ComponentSource.UPLOAD, at=now, round_=dossier.supplement_count)
    action = _save_and_log(
        dossier, kind=ActionKind.SUPPLEMENT, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
        data={"documents": sorted(str(d.pk) for documents in files.values() for d in documents)},
        idempotency_key=idempotency_key,
    )  # fmt: skip
    if dossier.received_at is not None:
        # The clock stood still while the applicant supplemented: the appointment moves by that much.
        dossier.appointment_at = deadlines.appointment_for(dossier, dossier.actions.all())
        dossier.save(update_fields=["appointment_at"])
        action.data["appointment_at"] = _iso(dossier.appointment_at)
        action.save(update_fields=["data"])
    return action


def _assign(dossier, *, actor, role, now, comment, assignee, idempotency_key, **_unused) -> DossierAction:
    step = dossier.current_step
    needed = step.role if step else None
    if assignee is None or (needed and needed not in policy.officer_roles(assignee).get(dossier.agency_id, set())):
        raise DossierInvalid(
            _("Hãy chọn cán bộ có vai trò phù hợp với bước hiện tại."), errors={"assignee": _("Cán bộ không phù hợp.")}
        )
    dossier.assignee = assignee
    return _save_and_log(
        dossier, kind=ActionKind.ASSIGN, from_state=dossier.state, actor=actor, role=role, at=now, comment=comment,
        assignee=assignee, idempotency_key=idempotency_key,
    )  # fmt: skip


def _move(dossier, *, kind, target_step, actor, role, now, comment, assignee, idempotency_key) -> DossierAction:
    if assignee is not None and target_step.is_partner_step:
        raise DossierInvalid(
            _("Bước “%(step)s” do cơ quan liên thông thực hiện: không giao cho cán bộ của cơ quan này.")
            % {"step": target_step.name},
            errors={"assignee": _("Để trống: hồ sơ được gửi sang cơ quan liên thông.")},
        )
    if assignee is not None and target_step.role not in policy.officer_roles(assignee).get(dossier.agency_id, set()):
        raise DossierInvalid(
            _("Cán bộ nhận phải có vai trò “%(role)s”.") % {"role": target_step.get_role_display()},
            errors={"assignee": _("Cán bộ không phù hợp.")},
        )
    from_state = dossier.state
    handed_from = dossier.current_step
    on_time = dossier.step_deadline is None or now <= dossier.step_deadline
    dossier.state = DossierState.PROCESSING
    _start_step(dossier, target_step, now=now, assignee=assignee)
    return _save_and_log(
        dossier, kind=kind, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
        data={
            "from_step": handed_from.pk if handed_from else None,
            "to_step": target_step.pk,
            "on_time": on_time,
            "step_deadline": _iso(dossier.step_deadline),
        },
        idempotency_key=idempotency_key, assignee=assignee,
    )  # fmt: skip


def _hand_off(dossier, **kwargs) -> DossierAction:
    return _move(dossier, kind=ActionKind.HAND_OFF, target_step=next_step(dossier), **_move_args(kwargs))


def _return_step(dossier, **kwargs) -> DossierAction:
    if not kwargs["comment"]:
        raise DossierInvalid(_("Hãy nêu lý do trả lại."), errors={"comment": _("Trường này là bắt buộc.")})
    return _move(dossier, kind=ActionKind.RETURN_STEP, target_step=previous_step(dossier), **_move_args(kwargs))


def _move_args(kwargs: dict) -> dict:
    keys = ("actor", "role", "now", "comment", "assignee", "idempotency_key")
    return {key: kwargs[key] for key in keys}


def _simple(kind: str, to_state: int):
    def apply(dossier, *, actor, role, now, comment, idempotency_key, **_unused) -> DossierAction:
        from_state = dossier.state
        dossier.state = to_state
        return _save_and_log(
            dossier, kind=kind, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
            idempotency_key=idempotency_key,
        )  # fmt: skip

    return apply


def _approve(dossier, *, actor, role, now, comment, idempotency_key, **_unused) -> DossierAction:
    from_state = dossier.state
    on_time = dossier.appointment_at is None or now <= dossier.appointment_at
    dossier.state = DossierState.RESULT_READY
    dossier.finished_at = now
    following = next_step(dossier)
    _start_step(dossier, following, now=now, assignee=None)
    action = _save_and_log(
        dossier, kind=ActionKind.APPROVE, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
        data={"on_time": on_time}, idempotency_key=idempotency_key,
    )  # fmt: skip
    dossier_approved.send(sender=Dossier, dossier=dossier, leader=actor, now=now)
    return action


def _return_result(
    dossier, *, actor, role, now, comment, idempotency_key, data: dict | None = None, **_unused
) -> DossierAction:
    from_state = dossier.state
    dossier.state = DossierState.RESULT_RETURNED
    dossier.returned_at = now
    _start_step(dossier, None, now=now, assignee=None)
    return _save_and_log(
        dossier, kind=ActionKind.RETURN_RESULT, from_state=from_state, actor=actor, role=role, at=now,
        comment=comment, idempotency_key=idempotency_key, data=data,
    )  # fmt: skip


def _extend(dossier, *, actor, role, now, comment, new_appointment, idempotency_key, **_unused) -> DossierAction:
    errors = {}
    if not comment:
        errors["comment"] = _("Hãy nêu lý do chậm trễ để gửi lời xin lỗi tới người dân.")
    if new_appointment is None or (dossier.appointment_at and new_appointment <= dossier.appointment_at):
        errors["new_appointment"] = _("Ngày hẹn mới phải sau ngày hẹn hiện tại.")
    if errors:
        raise DossierInvalid(_("Văn bản xin lỗi và gia hạn chưa hợp lệ."), errors=errors)
    previous = dossier.appointment_at
    dossier.appointment_at = new_appointment
    return _save_and_log(
        dossier, kind=ActionKind.EXTEND, from_state=dossier.state, actor=actor, role=role, at=now, comment=comment,
        data={"previous_appointment": _iso(previous), "appointment_at": _iso(new_appointment)},
        idempotency_key=idempotency_key,
    )  # fmt: skip


def _ending(kind: str, state: int, *, reason_required: str | None):
    """An action that ends the dossier (refuse, withdraw, stop): the clock, the pause and the step end with it."""

    def apply(dossier, *, actor, role, now, comment, idempotency_key, **_unused) -> DossierAction:
        if reason_required and not comment:
            raise DossierInvalid(str(reason_required), errors={"comment": _("Trường này là bắt buộc.")})
        from_state = dossier.state
        dossier.state = state
        dossier.finished_at = now
        dossier.paused_at = None
        dossier.resume_state = None
        _start_step(dossier, None, now=now, assignee=None)
        action = _save_and_log(
            dossier, kind=kind, from_state=from_state, actor=actor, role=role, at=now, comment=comment,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        dossier_closed.send(sender=Dossier, dossier=dossier, kind=kind, now=now)
        return action

    return apply


_APPLY = {
    ActionKind.RECEIVE: _receive,
    ActionKind.REQUEST_SUPPLEMENT: _request_supplement,
    ActionKind.SUPPLEMENT: _supplement,
    ActionKind.REFUSE: _ending(
        ActionKind.REFUSE, DossierState.REFUSED, reason_required=gettext_lazy("Hãy nêu lý do từ chối.")
    ),
    ActionKind.ASSIGN: _assign,
    ActionKind.HAND_OFF: _hand_off,
    ActionKind.RETURN_STEP: _return_step,
    ActionKind.REQUEST_PAYMENT: _simple(ActionKind.REQUEST_PAYMENT, DossierState.PAYMENT_REQUESTED),
    ActionKind.CONFIRM_PAYMENT: _simple(ActionKind.CONFIRM_PAYMENT, DossierState.PROCESSING),
    ActionKind.APPROVE: _approve,
    ActionKind.RETURN_RESULT: _return_result,
    ActionKind.WITHDRAW: _ending(ActionKind.WITHDRAW, DossierState.WITHDRAWN, reason_required=None),
    ActionKind.EXTEND: _extend,
    ActionKind.STOP: _ending(
        ActionKind.STOP, DossierState.STOPPED, reason_required=gettext_lazy("Hãy nêu lý do dừng xử lý.")
    ),
}


def complete_partner_step(
    *, dossier_code: str, package_id: str, processed: bool, note: str = "", now: dt.datetime | None = None
) -> DossierAction | None:
    """Bước liên thông xong: the partner agency processed the dossier's step (it moves on to the next step) or
    returned it (back to the step before, with the partner's reason). The system acts (actor empty, role "system");
    the exchange package is the idempotency key. None when the dossier is no longer at a partner step."""
    now = now or timezone.now()
    key = f"lien-thong:{package_id}"
    with transaction.atomic():
        dossier = lock_one(Dossier, code=dossier_code)
        earlier = dossier.actions.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier
        step = dossier.current_step
        if dossier.state != DossierState.PROCESSING or step is None or not step.is_partner_step:
            return None
        target = next_step(dossier) if processed else previous_step(dossier)
        if target is None:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            done = _("Cơ quan liên thông %(agency)s đã xử lý xong bước “%(step)s”.")
            back = _("Cơ quan liên thông %(agency)s trả lại bước “%(step)s”.")
            comment = (done if processed else back) % {"agency": step.partner_agency, "step": step.name}
        comment = f"{comment} {note}".strip()
        kind = ActionKind.HAND_OFF if processed else ActionKind.RETURN_STEP
        return _move(
            dossier, kind=kind, target_step=target, actor=None, role=SYSTEM_ROLE, now=now, comment=comment[:2000],
            assignee=None, idempotency_key=key,
        )  # fmt: skip


def confirm_payment_from_gateway(
    *, dossier_code: str, gateway: str, txn_ref: str, amount: int, comment: str = "", now: dt.datetime | None = None
) -> DossierAction | None:
    """A verified gateway notification: the fee is paid, so the dossier goes back to processing (6 → 4).

    The system acts here, not an officer (actor empty, role "system"); the transaction reference is the
    idempotency key, so a retried notification confirms once. None when the dossier is not waiting for payment.
    """
    now = now or timezone.now()
    key = f"payment:{txn_ref}"
    with transaction.atomic():
        dossier = lock_one(Dossier, code=dossier_code)
        earlier = dossier.actions.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier
        if dossier.state != DossierState.PAYMENT_REQUESTED:
            return None
        from_state = dossier.state
        dossier.state = DossierState.PROCESSING
        if not comment:
            with translation.override(settings.LANGUAGE_CODE):
                comment = _("Đã nhận thanh toán trực tuyến qua %(gateway)s, mã giao dịch %(ref)s.") % {
                    "gateway": gateway, "ref": txn_ref,
                }  # fmt: skip
        return _save_and_log(
            dossier, kind=ActionKind.CONFIRM_PAYMENT, from_state=from_state, actor=None, role=SYSTEM_ROLE, at=now,
            comment=comment, data={"gateway": gateway, "txn_ref": txn_ref, "amount": amount, "channel": "online"},
            idempotency_key=key,
        )  # fmt: skip


def return_result_online(
    *, dossier_code: str, recipient: User, result_ref: str, now: dt.datetime | None = None
) -> DossierAction | None:
    """Trả kết quả trực tuyến: the applicant has downloaded the electronic result, so it is returned (9 → 10).

    The system records the delivery (actor empty, role "system"; the recipient is in the data); the result's
    reference is the idempotency key, so downloading again records nothing more. None when `recipient` is not
    the applicant or the dossier is not waiting for its result to be returned.
    """
    now = now or timezone.now()
    key = f"result-online:{result_ref}"
    with transaction.atomic():
        dossier = lock_one(Dossier, code=dossier_code)
        if dossier.applicant_id != recipient.pk:
            return None
        earlier = dossier.actions.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier
        if dossier.state != DossierState.RESULT_READY:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            comment = _("Chủ hồ sơ đã nhận kết quả điện tử trực tuyến.")
        return _return_result(
            dossier, actor=None, role=SYSTEM_ROLE, now=now, comment=comment, idempotency_key=key,
            data={"channel": "online", "result": result_ref, "recipient": recipient.pk},
        )  # fmt: skip


def record_view(
    *, dossier: Dossier, officer: User, now: dt.datetime | None = None, channel: str = AccessorKind.OFFICER
) -> None:
    """Officers' reading of a dossier is logged (who saw whose data, and when), in the dossier's log and in the
    applicant's access log; `channel` says whether it was read on the back office's pages or through the API."""
    role = sorted(policy.officer_roles(officer).get(dossier.agency_id, {"auditor"}))[0]
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_one(Dossier, pk=dossier.pk)
        _append(locked, kind=ActionKind.VIEW, actor=officer, role=role, at=now, from_state=locked.state)
        with translation.override(settings.LANGUAGE_CODE):
            what = _("Hồ sơ %(code)s") % {"code": locked.code}
            purpose = _("Giải quyết hồ sơ (vai trò: %(role)s)") % {"role": role}
        wallet.record_access(
            subject=locked.applicant, accessor_kind=channel,
            accessor_name=officer.full_name or officer.get_username(), accessor=officer,
            accessor_agency=locked.agency, what=what, reference=locked.code, purpose=purpose, at=now,
        )  # fmt: skip


# ----- drafts (hồ sơ nháp) ---------------------------------------------------------------------------------------

MAX_DRAFT_BYTES = 200_000


def save_draft(
    *,
    applicant: User,
    version: ProcedureVersion,
    form_data: Any,
    agency: Agency | None = None,
    draft: Draft | None = None,
) -> Draft:
    """Keep what the applicant typed, as typed (checked only at submission), so nothing is ever lost."""
    if not isinstance(form_data, dict):
        raise DossierInvalid(_("Dữ liệu biểu mẫu không hợp lệ."))
    if len(json.dumps(form_data, ensure_ascii=False)) > MAX_DRAFT_BYTES:
        raise DossierInvalid(_("Bản nháp quá lớn."))
    with transaction.atomic():
        if draft is None:
            draft = Draft(applicant=applicant, procedure_version=version)
        elif draft.applicant_id != applicant.pk:
            raise ActionNotAllowed(_("Không tìm thấy hồ sơ nháp."))
        draft.form_data = form_data
        if agency is not None:
            draft.agency = agency
        draft.save()
    return draft


def attach_to_draft(*, draft: Draft, applicant: User, requirement_id: int, document: StoredDocument) -> Draft:
    """Add an uploaded document to one component of a draft."""
    errors = _check_components(draft.procedure_version, {requirement_id: [document]}, owner=applicant, partial=True)
    if draft.applicant_id != applicant.pk:
        raise ActionNotAllowed(_("Không tìm thấy hồ sơ nháp."))
    if errors:
        raise DossierInvalid(_("Giấy tờ không hợp lệ."), errors=errors)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        documents = dict(locked.documents)
        documents.setdefault(str(requirement_id), [])
        if str(document.pk) not in documents[str(requirement_id)]:
            documents[str(requirement_id)].append(str(document.pk))
        locked.documents = documents
        locked.save(update_fields=["documents", "updated_at"])
    return locked


def detach_from_draft(*, draft: Draft, applicant: User, requirement_id: int, document_id: str) -> Draft:
    if draft.applicant_id != applicant.pk:
        raise ActionNotAllowed(_("Không tìm thấy hồ sơ nháp."))
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        documents = dict(locked.documents)
        documents[str(requirement_id)] = [d for d in documents.get(str(requirement_id), []) if d != str(document_id)]
        locked.documents = documents
        locked.save(update_fields=["documents", "updated_at"])
    return locked


def draft_files(draft: Draft) -> dict[int, list[StoredDocument]]:
    """The draft's documents by requirement id (only the applicant's own, still existing)."""
    ids = [document_id for ids in draft.documents.values() for document_id in ids]
    documents = {str(d.pk): d for d in StoredDocument.objects.filter(pk__in=ids, owner=draft.applicant_id)}
    return {
        int(requirement_id): [documents[d] for d in ids if d in documents]
        for requirement_id, ids in draft.documents.items()
        if any(d in documents for d in ids)
    }


def submit_draft(*, draft: Draft, applicant: User, idempotency_key: str | None = None, now=None) -> Dossier:
    """Submit a draft as a dossier; the draft is deleted in the same transaction."""
    if draft.applicant_id != applicant.pk:
        raise ActionNotAllowed(_("Không tìm thấy hồ sơ nháp."))
    if draft.agency is None:
        raise DossierInvalid(
            _("Hãy chọn cơ quan tiếp nhận."), errors={"agency": _("Hãy chọn cơ quan tiếp nhận hồ sơ.")}
        )
    return submit_dossier(
        applicant=applicant, version=draft.procedure_version, agency=draft.agency, form_data=draft.form_data,
        files=draft_files(draft), idempotency_key=idempotency_key, draft=draft, now=now,
    )  # fmt: skip


def delete_draft(*, draft_id: int, applicant: User) -> bool:
    """Delete one of the applicant's drafts (its uploaded documents stay stored). False if there was none."""
    deleted, _by_model = Draft.objects.filter(pk=draft_id, applicant=applicant).delete()
    return bool(deleted)
