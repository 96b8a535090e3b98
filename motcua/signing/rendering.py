"""PDF rendering of the one-stop forms of TT 03/2025/TT-VPCP, Annex I (Mẫu số 01–07).

Every form is derived from the dossier and its action log, never from data kept beside them:

- 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả — from the ``receive`` or ``register_direct`` action;
- 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — from a ``request_supplement`` action;
- 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ — from the ``refuse`` action;
- 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết — from an ``extend`` action;
- 05 Thông báo dừng giải quyết hồ sơ — from the ``stop`` action;
- 06 Phiếu kiểm soát quá trình giải quyết hồ sơ — from the whole log;
- 07 Sổ theo dõi hồ sơ — the register of an agency over a period (``render_register``).

The functions only read (a fixed number of queries whatever the length of the log) and return the PDF
bytes; storing, signing and serving them belong to their callers. HTML templates in
``templates/signing/`` are laid out with ``static/signing/print.css`` and rendered by WeasyPrint with a
font that has every Vietnamese glyph (DejaVu Sans, Debian's fonts-dejavu-core). Nothing is fetched over
the network: the only URLs a form may load are font files in the font directory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation

from motcua.accounts.models import User, UserKind
from motcua.catalog.models import Agency, OfficerRole, ProcessingStep, TimeUnit
from motcua.dossiers.models import (
    ActionKind,
    ChannelCode,
    ComponentSource,
    Dossier,
    DossierAction,
    DossierComponent,
    DossierState,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FAMILY = "Motcua Form"
# (file, weight, style): the regular and bold faces come with fonts-dejavu-core; the oblique ones, from
# fonts-dejavu-extra, are used when present (otherwise italics are slanted from the regular face).
FONT_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)
STYLESHEET = Path(__file__).resolve().parent / "static" / "signing" / "print.css"

K = ActionKind


@dataclass(frozen=True)
class FormSpec:
    number: str
    title: str
    template: str
    kinds: tuple[str, ...] = ()  # the actions the form is made from (empty: the whole log)
    missing: str = ""  # the error when the dossier has no such action


FORMS: dict[str, FormSpec] = {
    spec.number: spec
    for spec in (
        FormSpec(
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "signing/form_01.html",
            (K.RECEIVE, K.REGISTER_DIRECT),
            "Hồ sơ {code} chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01).",
        ),
        FormSpec(
            "02",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "signing/form_02.html",
            (K.REQUEST_SUPPLEMENT,),
            "Hồ sơ {code} chưa có yêu cầu bổ sung, hoàn thiện nào nên không có Phiếu yêu cầu bổ sung (Mẫu số 02).",
        ),
        FormSpec(
            "03",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "signing/form_03.html",
            (K.REFUSE,),
            "Hồ sơ {code} không bị từ chối tiếp nhận nên không có Phiếu từ chối tiếp nhận (Mẫu số 03).",
        ),
        FormSpec(
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "signing/form_04.html",
            (K.EXTEND,),
            "Hồ sơ {code} chưa được gia hạn nên không có Văn bản xin lỗi và đề nghị gia hạn (Mẫu số 04).",
        ),
        FormSpec(
            "05",
            "Thông báo dừng giải quyết hồ sơ",
            "signing/form_05.html",
            (K.STOP,),
            "Hồ sơ {code} không bị dừng giải quyết nên không có Thông báo dừng giải quyết hồ sơ (Mẫu số 05).",
        ),
        FormSpec("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "signing/form_06.html"),
        FormSpec("07", "Sổ theo dõi hồ sơ", "signing/form_07.html"),
    )
}

# Who signs each form, by the role the officer acted in.
SIGNER_TITLES = {
    OfficerRole.RECEPTION: "Người tiếp nhận hồ sơ",
    OfficerRole.SPECIALIST: "Người hướng dẫn",
    OfficerRole.LEADER: "Thủ trưởng cơ quan",
}

UNIT_PREFIXES = ("thành phố", "tỉnh", "phường", "xã", "thị trấn", "đặc khu", "quận", "huyện", "thị xã")


# ---------------------------------------------------------------------------------------------------
# Public API


def render_form(
    number: str, *, dossier: Dossier, action: DossierAction | None = None, now: dt.datetime | None = None
) -> bytes:
    """The PDF of form `number` ("01".."07") for `dossier`.

    Forms 01–05 are made from one action: `action` if given (it must be of the form's kind and belong to
    the dossier), else the dossier's latest action of that kind; a dossier without one raises ValueError
    with a message in Vietnamese. They are dated on their action's day. Form 06 (the control slip) is
    made from the whole log and dated `now` (default: the current time), at which an unfinished dossier
    is judged on time or late. Form 07 for one dossier is that dossier's line of its agency's register;
    `render_register` makes the register of a period.
    """
    spec = FORMS.get(str(number).zfill(2))
    if spec is None:
        raise ValueError(f"Không có Mẫu số {number}: các mẫu là 01 đến 07 (Phụ lục I, Thông tư 03/2025/TT-VPCP).")
    now = now or timezone.now()
    if spec.number == "07":
        end = _local(now).date()
        start = min(_local(dossier.submitted_at).date(), end)
        return render_register(agency=dossier.agency, dossiers=[dossier], period_start=start, period_end=end, now=now)
    loaded = _load_dossier(dossier, components=spec.number == "01")
    if spec.kinds:
        chosen = _choose_action(spec, loaded, action)
        context = _BUILDERS[spec.number](loaded, chosen)
        dated = chosen.at
    else:
        context = _control_slip(loaded, now=now)
        dated = now
    context.update(_common(spec, loaded.agency, dated=dated, code=loaded.code))
    context.update(
        dossier=loaded,
        version=loaded.procedure_version,
        identifier_label=_identifier_label(loaded),
        contact=_contact(loaded.applicant),
    )
    return _pdf(spec.template, context)


def render_register(
    *,
    agency: Agency,
    dossiers: Sequence[Dossier] | Iterable[Dossier],
    period_start: dt.date | dt.datetime,
    period_end: dt.date | dt.datetime,
    now: dt.datetime | None = None,
) -> bytes:
    """The PDF of Mẫu số 07, Sổ theo dõi hồ sơ: one line per dossier, in the order given.

    The caller chooses the dossiers (usually those the agency received in the period); a queryset or a
    list both work, and the procedures are fetched in one query whatever their number.
    """
    now = now or timezone.now()
    spec = FORMS["07"]
    agency = Agency.objects.select_related("parent", "unit").get(pk=agency.pk)
    dossiers = list(dossiers)
    prefetch_related_objects(dossiers, "procedure_version")
    start, end = _as_date(period_start), _as_date(period_end)
    if start > end:
        raise ValueError("Ngày bắt đầu kỳ theo dõi phải trước hoặc bằng ngày kết thúc.")
    rows = [_register_row(index, dossier, now=now) for index, dossier in enumerate(dossiers, start=1)]
    context = {
        "period": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
        "rows": rows,
        "total": len(rows),
        "finished": sum(1 for row in rows if row["finished"]),
        "returned": sum(1 for row in rows if row["returned"]),
        "on_time": sum(1 for row in rows if row["timeliness"] == "Đúng hạn"),
        "late": sum(1 for row in rows if row["timeliness"] == "Quá hạn"),
    }
    context.update(_common(spec, agency, dated=now, code=""))
    return _pdf(spec.template, context)


# ---------------------------------------------------------------------------------------------------
# Loading


def _load_dossier(dossier: Dossier, *, components: bool) -> Dossier:
    """The dossier with everything a form shows, in a fixed number of queries (4, or 5 with components)."""
    actions = DossierAction.objects.exclude(kind=K.VIEW).select_related("actor", "assignee", "step").order_by("seq")
    lookups: list[Any] = [Prefetch("actions", queryset=actions, to_attr="log"), "procedure_version__steps"]
    if components:
        lookups.append(
            Prefetch(
                "components",
                queryset=DossierComponent.objects.select_related("requirement").order_by(
                    "requirement__position", "added_at", "pk"
                ),
                to_attr="received_components",
            )
        )
    return (
        Dossier.objects.select_related(
            "agency", "agency__parent", "agency__unit", "procedure_version", "procedure_version__procedure",
            "applicant",
        )
        .prefetch_related(*lookups)
        .get(pk=dossier.pk)
    )  # fmt: skip


def _choose_action(spec: FormSpec, dossier: Dossier, action: DossierAction | None) -> DossierAction:
    if action is not None:
        chosen = next((entry for entry in dossier.log if entry.pk == action.pk), None)
        if chosen is None:
            raise ValueError(f"Hành động đã chọn không thuộc hồ sơ {dossier.code}.")
        if chosen.kind not in spec.kinds:
            raise ValueError(
                f"Mẫu số {spec.number} ({spec.title}) không lập từ hành động “{ActionKind(chosen.kind).label}”."
            )
        return chosen
    matching = [entry for entry in dossier.log if entry.kind in spec.kinds]
    if not matching:
        raise ValueError(spec.missing.format(code=dossier.code))
    return matching[-1]


# ---------------------------------------------------------------------------------------------------
# Forms 01–05


def _receipt(dossier: Dossier, action: DossierAction) -> dict:
    """Mẫu số 01: what was received, when, and when the result will be returned."""
    version = dossier.procedure_version
    groups: dict[Any, dict] = {}
    for component in dossier.received_components:
        if component.added_at > action.at:
            continue  # supplemented later: not part of this receipt
        requirement = component.requirement
        key = requirement.pk if requirement else f"other-{component.pk}"
        group = groups.setdefault(
            key,
            {
                "name": requirement.name if requirement else "Giấy tờ khác",
                "originals": requirement.originals if requirement else 0,
                "copies": requirement.copies if requirement else 0,
                "files": 0,
                "sources": [],
            },
        )
        group["files"] += 1
        label = str(ComponentSource(component.source).label)
        if label not in group["sources"]:
            group["sources"].append(label)
    appointment = _parse(action.data.get("appointment_at")) or dossier.appointment_at
    return {
        "action": action,
        "components": [{**group, "sources": ", ".join(group["sources"])} for group in groups.values()],
        "processing_time": f"{_number(version.processing_time)} {TimeUnit(version.processing_time_unit).label}",
        "received_at": _moment(action.at),
        "appointment_at": _moment(appointment),
        "channel": ChannelCode(dossier.channel).label,
        "result_name": version.result_name,
        "result_delivery": _result_delivery(dossier),
        "officer": _person(action.actor),
        "signer_title": "Người tiếp nhận hồ sơ",
        "applicant_signs": dossier.channel != ChannelCode.ONLINE,
    }


def _supplement_request(dossier: Dossier, action: DossierAction) -> dict:
    """Mẫu số 02: the exact list of what is missing, why, and who to ask."""
    before_receipt = action.from_state == DossierState.SUBMITTED
    return {
        "action": action,
        "missing": [str(item) for item in action.data.get("missing", [])],
        "round": action.data.get("round"),
        "reason": action.comment,
        "requested_at": _moment(action.at),
        "clock_paused": not before_receipt,
        "officer": _person(action.actor),
        "signer_title": "Người hướng dẫn",
    }


def _refusal(dossier: Dossier, action: DossierAction) -> dict:
    """Mẫu số 03: the reason the dossier is not received."""
    return {
        "action": action,
        "reason": action.comment,
        "refused_at": _moment(action.at),
        "officer": _person(action.actor),
        "signer_title": _signer_title(action, default="Người tiếp nhận hồ sơ"),
    }


def _apology(dossier: Dossier, action: DossierAction) -> dict:
    """Mẫu số 04: the apology, the reason for the delay, the previous and the new appointment."""
    return {
        "action": action,
        "reason": action.comment,
        "received_on": _capital(_long_date(dossier.received_at)) if dossier.received_at else "",
        "previous_appointment": _moment(_parse(action.data.get("previous_appointment"))),
        "new_appointment": _moment(_parse(action.data.get("appointment_at"))),
        "officer": _person(action.actor),
        "signer_title": _signer_title(action, default="Thủ trưởng cơ quan"),
    }


def _stop_notice(dossier: Dossier, action: DossierAction) -> dict:
    """Mẫu số 05: the notice that processing has stopped, and why."""
    appointment = None
    for entry in dossier.log:
        if entry.seq > action.seq:
            break
        appointment = _parse(entry.data.get("appointment_at")) or appointment
    return {
        "action": action,
        "reason": action.comment,
        "received_on": _capital(_long_date(dossier.received_at)) if dossier.received_at else "",
        "appointment_at": _moment(appointment or dossier.appointment_at),
        "stopped_at": _moment(action.at),
        "officer": _person(action.actor),
        "signer_title": _signer_title(action, default="Thủ trưởng cơ quan"),
    }


_BUILDERS = {"01": _receipt, "02": _supplement_request, "03": _refusal, "04": _apology, "05": _stop_notice}


# ---------------------------------------------------------------------------------------------------
# Form 06: the control slip, derived from the whole log

ON_TIME, LATE = "Đúng hạn", "Quá hạn"


def _control_slip(dossier: Dossier, *, now: dt.datetime) -> dict:
    steps = {step.pk: step for step in dossier.procedure_version.steps.all()}
    applicant = f"{dossier.applicant_name} (chủ hồ sơ)"
    desk = dossier.agency.name
    rows: list[dict] = []
    appointment: dt.datetime | None = None
    holder_deadline: dt.datetime | None = None  # deadline of the step now being worked on, once logged
    current_step: ProcessingStep | None = None

    def row(action, content, giver, receiver, *, deadline=None, on_time=None, note=""):
        rows.append(
            {
                "number": len(rows) + 1,
                "content": content,
                "giver": giver,
                "receiver": receiver,
                "at": _stacked(action.at),
                "deadline": _stacked(deadline),
                "result": None if on_time is None else (ON_TIME if on_time else LATE),
                "late": on_time is False,
                "note": note or action.comment,
            }
        )

    for action in dossier.log:
        kind = action.kind
        if kind in (K.RECEIVE, K.REGISTER_DIRECT):
            appointment = _parse(action.data.get("appointment_at")) or appointment
            current_step, holder_deadline = action.step, _parse(action.data.get("step_deadline"))
            row(
                action, ActionKind(kind).label, applicant, _holder(action.actor, current_step),
                note=_join(f"Hẹn trả kết quả: {_short(appointment)}" if appointment else "", action.comment),
            )  # fmt: skip
        elif kind in (K.HAND_OFF, K.RETURN_STEP):
            from_step = steps.get(action.data.get("from_step")) or current_step
            to_step = steps.get(action.data.get("to_step")) or action.step
            row(
                action, ActionKind(kind).label, _holder(action.actor, from_step),
                _holder(action.assignee, to_step), deadline=holder_deadline, on_time=action.data.get("on_time"),
            )  # fmt: skip
            current_step, holder_deadline = to_step, _parse(action.data.get("step_deadline"))
        elif kind == K.ASSIGN:
            row(action, ActionKind(kind).label, _person(action.actor), _holder(action.assignee, current_step))
        elif kind == K.REQUEST_SUPPLEMENT:
            missing = "; ".join(str(item) for item in action.data.get("missing", []))
            row(
                action, ActionKind(kind).label, _person(action.actor), applicant,
                note=_join(f"Cần bổ sung: {missing}", action.comment),
            )  # fmt: skip
        elif kind == K.SUPPLEMENT:
            appointment = _parse(action.data.get("appointment_at")) or appointment
            new = f"Hẹn trả kết quả mới: {_short(appointment)}" if action.data.get("appointment_at") else ""
            row(action, ActionKind(kind).label, applicant, desk, note=_join(new, action.comment))
        elif kind == K.EXTEND:
            previous, appointment = appointment, _parse(action.data.get("appointment_at")) or appointment
            row(
                action, ActionKind(kind).label, _person(action.actor), applicant,
                note=_join(f"Hẹn trả kết quả từ {_short(previous)} sang {_short(appointment)}", action.comment),
            )  # fmt: skip
        elif kind == K.APPROVE:
            row(
                action, ActionKind(kind).label, _holder(action.actor, current_step),
                _holder(action.assignee, action.step) if action.step else "—", deadline=appointment,
                on_time=action.data.get("on_time"),
            )  # fmt: skip
            current_step, holder_deadline = action.step, None
        elif kind == K.RETURN_RESULT:
            on_time = None if appointment is None else action.at <= appointment
            row(
                action, ActionKind(kind).label, _holder(action.actor, current_step), applicant,
                deadline=appointment, on_time=on_time,
            )  # fmt: skip
            current_step = None
        elif kind in (K.REFUSE, K.STOP):
            row(action, ActionKind(kind).label, _person(action.actor), applicant)
            current_step = None
        elif kind == K.WITHDRAW:
            row(action, ActionKind(kind).label, applicant, desk)
            current_step = None
    judged = [r for r in rows if r["result"] is not None]
    return {
        "rows": rows,
        "judged": len(judged),
        "on_time": sum(1 for r in judged if not r["late"]),
        "late": sum(1 for r in judged if r["late"]),
        "state": DossierState(dossier.state).label,
        "outcome": _outcome(dossier, now=now),
        "received_at": _short(dossier.received_at) or "Chưa tiếp nhận",
        "appointment_at": _short(dossier.appointment_at) or "—",
        "printed_at": _short(now),
    }


def _outcome(dossier: Dossier, *, now: dt.datetime) -> str:
    """Whether the dossier was (or, unfinished, is so far) resolved on time."""
    appointment = dossier.appointment_at
    if dossier.state in (DossierState.SUBMITTED, DossierState.REFUSED) or appointment is None:
        return "Không tính hạn giải quyết (hồ sơ chưa được tiếp nhận)"
    approvals = [action for action in dossier.log if action.kind == K.APPROVE]
    if approvals and "on_time" in approvals[-1].data:
        return ON_TIME if approvals[-1].data["on_time"] else LATE
    if dossier.finished_at is not None:
        return ON_TIME if dossier.finished_at <= appointment else LATE
    if dossier.state == DossierState.SUPPLEMENT_REQUESTED:
        return "Đang chờ bổ sung hồ sơ (tạm dừng tính thời gian)"
    if now <= appointment:
        return f"Đang giải quyết, trong hạn (tính đến {_short(now)})"
    return f"Đang giải quyết, quá hạn (tính đến {_short(now)})"


# ---------------------------------------------------------------------------------------------------
# Form 07: the register


def _register_row(index: int, dossier: Dossier, *, now: dt.datetime) -> dict:
    appointment, finished = dossier.appointment_at, dossier.finished_at
    if appointment is None:
        timeliness = ""
    elif finished is not None:
        timeliness = ON_TIME if finished <= appointment else LATE
    elif not dossier.is_final and dossier.state != DossierState.SUPPLEMENT_REQUESTED and now > appointment:
        timeliness = LATE
    else:
        timeliness = ""
    version = dossier.procedure_version
    return {
        "number": index,
        "code": dossier.code,
        "applicant": dossier.applicant_name,
        "identifier": dossier.applicant_identifier,
        "procedure": version.name,
        "channel": ChannelCode(dossier.channel).label,
        "received": _short(dossier.received_at),
        "appointment": _short(appointment),
        "finished": _short(finished),
        "returned": _short(dossier.returned_at),
        "state": DossierState(dossier.state).label,
        "timeliness": timeliness,
    }


# ---------------------------------------------------------------------------------------------------
# Shared pieces


def _common(spec: FormSpec, agency: Agency, *, dated: dt.datetime, code: str) -> dict:
    return {
        "form_number": spec.number,
        "form_title": spec.title,
        "parent_name": agency.parent.name if agency.parent_id and agency.parent else "",
        "agency": agency,
        "place_date": _place_date(agency, dated),
        "code": code,
    }


def _place_date(agency: Agency, moment: dt.datetime) -> str:
    place = _place_name(agency)
    date = _long_date(moment)
    return f"{place}, {date}" if place else _capital(date)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _place_name(agency: Agency) -> str:
    """The place on the date line: the agency's unit without its kind ("Phường Hải Châu" → "Hải Châu")."""
    unit = agency.unit
    if unit is None:
        return ""
    name = unit.name.strip()
    prefixes = (unit.division_type.strip().lower(), *UNIT_PREFIXES) if unit.division_type else UNIT_PREFIXES
    for prefix in prefixes:
        if prefix and name.lower().startswith(prefix + " "):
            return name[len(prefix) + 1 :].strip()
    return name


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, VN)


def _long_date(moment: dt.datetime | dt.date) -> str:
    """ "ngày 05 tháng 01 năm 2026": days below 10 and months 1 and 2 take a leading zero (NĐ 30/2020)."""
    day = _local(moment).date() if isinstance(moment, dt.datetime) else moment
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _moment(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = _local(moment)
    return f"{local:%H} giờ {local:%M} phút, {_long_date(local)}"


def _short(moment: dt.datetime | None) -> str:
    return f"{_local(moment):%d/%m/%Y %H:%M}" if moment else ""


def _stacked(moment: dt.datetime | None) -> str:
    """Date over time, for narrow table columns."""
    return _local(moment).strftime("%d/%m/%Y\n%H:%M") if moment else ""


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return _local(value).date() if isinstance(value, dt.datetime) else value


def _parse(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=VN)


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def _join(*parts: str) -> str:
    return ". ".join(part for part in parts if part)


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.get_username()


def _holder(user: User | None, step: ProcessingStep | None) -> str:
    """Who holds the dossier: a person, and the step they hold it for."""
    if user is not None and step is not None:
        return f"{_person(user)} — {step.name}"
    if user is not None:
        return _person(user)
    if step is not None:
        return f"{step.performer or step.get_role_display()} — {step.name}"
    return "—"


def _signer_title(action: DossierAction, *, default: str) -> str:
    return SIGNER_TITLES.get(action.actor_role, default)


def _result_delivery(dossier: Dossier) -> str:
    if dossier.is_full_process:
        return (
            "Trực tuyến: kết quả điện tử được gửi vào tài khoản và kho dữ liệu điện tử của chủ hồ sơ "
            "trên Cổng Dịch vụ công"
        )
    if dossier.channel == ChannelCode.POSTAL:
        return "Qua dịch vụ bưu chính công ích, theo địa chỉ chủ hồ sơ đã đăng ký"
    return f"Trực tiếp tại Bộ phận một cửa, {dossier.agency.name}"


def _identifier_label(dossier: Dossier) -> str:
    return "Mã số thuế" if dossier.applicant.kind == UserKind.ORGANISATION else "Số định danh cá nhân"


def _contact(user: User) -> str:
    return ", ".join(part for part in (user.phone, user.email) if part)


# ---------------------------------------------------------------------------------------------------
# PDF


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("vi"):
        html = render_to_string(template, context)
    fonts = FontConfiguration()
    fetcher = _local_fetcher()
    stylesheets = [
        CSS(string=_font_faces(), font_config=fonts, url_fetcher=fetcher),
        CSS(string=_stylesheet(), font_config=fonts, url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)


def _font_dir() -> Path:
    return Path(getattr(settings, "MOTCUA_PDF_FONT_DIR", DEFAULT_FONT_DIR))


@lru_cache(maxsize=4)
def _font_faces_for(directory: str) -> str:
    rules = []
    for name, weight, style in FONT_FACES:
        path = Path(directory) / name
        if path.is_file():
            rules.append(
                f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(rules)


def _font_faces() -> str:
    return _font_faces_for(str(_font_dir()))


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _local_fetcher():
    from weasyprint.urls import URLFetcher

    allowed = _font_dir().resolve()

    class LocalFontsOnly(URLFetcher):
        """Fetches font files from the font directory and nothing else: a form never touches the network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(allowed) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"Biểu mẫu không được tải tài nguyên bên ngoài: {url}")

    return LocalFontsOnly(allowed_protocols=("file",))
