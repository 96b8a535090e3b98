"""Phản ánh, kiến nghị in the back office: the agency's worklist (nearest deadline first, so overdue first), one
feedback with its log, and the officer's steps — refuse, ask for more information, answer, publish.

Any officer holding an active role at the responsible agency may handle it (motcua.dossiers.policy.officer_roles,
through motcua.feedback.queries and services); anyone else gets a 404, as for feedback that does not exist.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.forms import IDEMPOTENCY_KEY, new_key
from motcua.backoffice.views import _payment_reports, _receives, officer_required
from motcua.feedback import queries, services
from motcua.feedback.errors import FeedbackInvalid, FeedbackNotAllowed, NotFound
from motcua.feedback.models import MAX_TEXT, Feedback, FeedbackEventKind, FeedbackStatus
from motcua.workdays.calendar import CalendarRangeError, WorkCalendar
from motcua.workdays.queries import load_calendar

WORKLIST_LABELS = {
    "open": gettext_lazy("Đang xử lý"),
    "to_publish": gettext_lazy("Chờ công khai"),
    "all": gettext_lazy("Tất cả"),
}


# ----- forms: one per step; the rules are the services' ------------------------------------------------------------


class StepForm(forms.Form):
    idempotency_key = forms.CharField(max_length=100, validators=[IDEMPOTENCY_KEY], widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)


def _text_field(label, *, rows: int = 4, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_TEXT, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "aria-required": "true"}),
        error_messages={"max_length": gettext_lazy("Nội dung dài quá %(limit_value)s ký tự.")},
    )  # fmt: skip


class RefuseForm(StepForm):
    reason = _text_field(gettext_lazy("Lý do từ chối tiếp nhận"), rows=3,
                         help_text=gettext_lazy("Người gửi đọc được lý do này."))  # fmt: skip


class RequestInfoForm(StepForm):
    request = _text_field(
        gettext_lazy("Thông tin người gửi cần bổ sung"),
        help_text=gettext_lazy("Chỉ đề nghị một lần: hãy nêu đủ mọi thông tin cần. Thời hạn trả lời tạm dừng cho "
                               "đến khi người gửi bổ sung."),
    )  # fmt: skip


class AnswerForm(StepForm):
    answer = _text_field(gettext_lazy("Nội dung trả lời"), rows=6,
                         help_text=gettext_lazy("Người gửi đọc được ngay nội dung này."))  # fmt: skip


class PublishForm(StepForm):
    public_question = _text_field(
        gettext_lazy("Nội dung phản ánh được công khai"),
        help_text=gettext_lazy("Bỏ mọi thông tin cá nhân (họ tên, địa chỉ, số điện thoại, số định danh, mã hồ sơ) "
                               "trước khi công khai."),
    )  # fmt: skip
    public_answer = _text_field(gettext_lazy("Nội dung trả lời được công khai"), rows=6)


STEPS = {
    "refuse": (FeedbackEventKind.REFUSE, RefuseForm),
    "request-info": (FeedbackEventKind.REQUEST_INFO, RequestInfoForm),
    "answer": (FeedbackEventKind.ANSWER, AnswerForm),
    "publish": (FeedbackEventKind.PUBLISH, PublishForm),
}


def _steps_for(feedback: Feedback) -> list[str]:
    """The steps the feedback's status allows (the services check again, under the row's lock)."""
    if feedback.status == FeedbackStatus.RECEIVED:
        return ["answer", "request-info", "refuse"] if feedback.info_requested_at is None else ["answer", "refuse"]
    if feedback.status == FeedbackStatus.INFO_REQUESTED:
        return ["answer", "refuse"]
    if feedback.status == FeedbackStatus.ANSWERED:
        return ["publish"]
    return []


def _form(step: str, feedback: Feedback, data=None) -> StepForm:
    initial = {}
    if step == "publish":
        initial = {"public_question": feedback.content, "public_answer": feedback.answer}
    return STEPS[step][1](data, initial=initial, prefix=step)


def _run(step: str, feedback: Feedback, officer, data: dict):
    key = data["idempotency_key"]
    common = {"feedback_id": feedback.pk, "officer": officer, "idempotency_key": key}
    if step == "refuse":
        return services.refuse_feedback(reason=data["reason"], **common)
    if step == "request-info":
        return services.request_information(request=data["request"], **common)
    if step == "answer":
        return services.answer_feedback(answer=data["answer"], **common)
    return services.publish_answer(public_question=data["public_question"], public_answer=data["public_answer"],
                                   **common)  # fmt: skip


# ----- pages -------------------------------------------------------------------------------------------------------


def _due(feedback: Feedback, *, calendar: WorkCalendar, now) -> str | None:
    if feedback.due_at is None:
        return None
    try:
        return calendar.due_status(deadline=feedback.due_at, now=now)
    except CalendarRangeError:
        return None


def _nav(user) -> dict:
    return {"can_register": _receives(user), "payment_reports": _payment_reports(user)}


@officer_required(redirect_others=True)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Phản ánh, kiến nghị của cơ quan: open ones and those awaiting publication, nearest deadline first."""
    name = request.GET.get("list", "open")
    if name not in WORKLIST_LABELS:
        name = "open"
    now = timezone.now()
    calendar = load_calendar()
    page = Paginator(queries.worklist(request.user, name), settings.WORKLIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = queries.worklist_counts(request.user)
    context = {
        "tabs": [
            {"name": key, "label": label, "count": counts[key], "url": f"?list={key}", "current": key == name}
            for key, label in WORKLIST_LABELS.items()
        ],
        "current": {"name": name, "label": WORKLIST_LABELS[name], "count": page.paginator.count},
        "page": page,
        "rows": [{"feedback": item, "due": _due(item, calendar=calendar, now=now)} for item in page],
        **_nav(request.user),
    }
    return render(request, "backoffice/feedback_list.html", context)


def _item(request: HttpRequest, pk) -> Feedback:
    try:
        return queries.officer_feedback_item(request.user, pk)
    except NotFound:
        raise Http404 from None


def _detail(
    request: HttpRequest, feedback: Feedback, *, bound: StepForm | None = None, problem: str = "", status: int = 200
) -> HttpResponse:
    now = timezone.now()
    steps = [
        {"step": step, "label": STEPS[step][0].label,
         "form": bound if bound is not None and bound.prefix == step else _form(step, feedback)}
        for step in _steps_for(feedback)
    ]  # fmt: skip
    context = {
        "feedback": feedback,
        "due": _due(feedback, calendar=load_calendar(), now=now),
        "events": list(queries.events_of(feedback)),
        "steps": steps,
        "problem": problem,
        "problem_forms": [bound] if bound is not None and bound.errors else [],
        **_nav(request.user),
    }
    return render(request, "backoffice/feedback_detail.html", context, status=status)


@officer_required
@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    feedback = _item(request, pk)
    services.record_officer_view(feedback=feedback, officer=request.user)
    return _detail(request, feedback)


@officer_required
@require_POST
def act(request: HttpRequest, pk, step: str) -> HttpResponse:
    """One step on the feedback; errors come back on its page with what was typed."""
    feedback = _item(request, pk)
    if step not in STEPS:
        raise Http404
    form = _form(step, feedback, data=request.POST)
    if not form.is_valid():
        problem = _("Chưa thực hiện được: hãy sửa các mục được đánh dấu.")
        return _detail(request, feedback, bound=form, problem=problem, status=422)
    try:
        _run(step, feedback, request.user, form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except FeedbackInvalid as invalid:
        for field, message in invalid.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, feedback, bound=form, problem=invalid.message, status=422)
    except FeedbackNotAllowed as refused:
        return _detail(request, _item(request, pk), problem=refused.message, status=409)
    label = STEPS[step][0].label
    messages.success(request, _("Đã thực hiện “%(action)s”.") % {"action": label})
    return redirect("backoffice:feedback:detail", pk=feedback.pk)
