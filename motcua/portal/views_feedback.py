"""Đánh giá mức độ hài lòng and phản ánh, kiến nghị (PAKN) on the citizens' portal.

- The applicant rates a finished dossier of theirs (the form is on the dossier's page, `portal/_rating.html`).
- Anyone sends feedback (logged in or not) and gets a tracking code, shown once in the POST's own response;
  with it they follow the handling, reply to a request for more information and rate the answer.
- Published answers are public, without any personal data.

Thin views over motcua.feedback.services and queries: who may do what is decided there (dossiers.policy for a
dossier, the code for a feedback); anything else is the site's 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import ServiceError
from motcua.dossiers import lookup_throttle
from motcua.dossiers import queries as dossier_queries
from motcua.dossiers.models import Dossier
from motcua.feedback import codes, queries, services, throttle
from motcua.feedback.errors import FeedbackInvalid, FeedbackNotAllowed, NotFound
from motcua.feedback.models import MAX_COMMENT, MAX_CONTENT, FeedbackEventKind, FeedbackStatus, RatingLevel
from motcua.portal.access import applicant_required
from motcua.portal.views import page_not_found

ANSWERS_PAGE_SIZE = 20
# What the sender's page shows of each step (their own words and the agency's; never an officer's name).
# (the answer has a section of its own above the steps).
SENDER_SEES_TEXT = (FeedbackEventKind.REFUSE, FeedbackEventKind.REQUEST_INFO, FeedbackEventKind.REPLY)


# ----- forms -----------------------------------------------------------------------------------------------------
# They only take input in; the rules (what is required, who may name a dossier) are the services', whose errors
# are shown beside these fields.


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Mức độ hài lòng"),
        choices=RatingLevel.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn mức độ hài lòng.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Góp ý (nếu có)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("Góp ý dài quá %(limit_value)s ký tự.")},
    )


class FeedbackForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Họ và tên"), required=False, max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name", "aria-required": "true"}))  # fmt: skip
    email = forms.CharField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Nhập thư điện tử hoặc số điện thoại (ít nhất một) để cơ quan liên hệ khi cần."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    content = forms.CharField(
        label=gettext_lazy("Nội dung phản ánh, kiến nghị"),
        required=False,
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6, "aria-required": "true"}),
        error_messages={"max_length": gettext_lazy("Nội dung dài quá %(limit_value)s ký tự.")},
    )
    procedure = forms.CharField(
        label=gettext_lazy("Mã thủ tục (nếu có)"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Ghi trên trang thủ tục, ví dụ 1.001193."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "my-short"}),
    )
    agency = forms.ChoiceField(
        label=gettext_lazy("Cơ quan được phản ánh (nếu biết)"),
        required=False,
        help_text=gettext_lazy(
            "Để trống nếu không rõ: phản ánh về một hồ sơ đến cơ quan giải quyết hồ sơ, về một thủ tục đến cơ quan "
            "thực hiện thủ tục, còn lại đến Trung tâm Phục vụ hành chính công."
        ),
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn cơ quan trong danh sách, hoặc để trống.")},
    )
    dossier = forms.CharField(
        label=gettext_lazy("Mã hồ sơ (nếu phản ánh về hồ sơ của bạn)"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Chỉ chủ hồ sơ đã đăng nhập mới ghi được mã hồ sơ."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Không chọn —")), *queries.agency_choices()]


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("Thông tin bổ sung"),
        required=False,
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 4, "aria-required": "true"}),
        error_messages={"max_length": gettext_lazy("Nội dung dài quá %(limit_value)s ký tự.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


def _add_errors(form: forms.Form, refused: ServiceError) -> None:
    for field, message in refused.errors.items():
        if field in form.fields and not form.has_error(field):
            form.add_error(field, message)
        elif field not in form.fields:
            form.add_error(None, message)


# ----- the rating of a dossier -------------------------------------------------------------------------------------


def rating_context(request: HttpRequest, dossier: Dossier) -> dict:
    """What portal/_rating.html needs on the applicant's dossier page."""
    panel = queries.rating_panel(request.user, dossier)
    initial = {"level": panel.rating.level, "comment": panel.rating.comment} if panel.rating else {}
    return {"rating_panel": panel, "rating_form": RatingForm(initial=initial, prefix="rating")}


@applicant_required
@require_http_methods(["GET", "POST"])
def rate_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """Đánh giá mức độ hài lòng: the form posts here; errors are shown on a page of their own, with what was typed."""
    try:
        dossier = dossier_queries.get_visible_dossier(request.user, code)
    except Dossier.DoesNotExist:
        raise Http404(code) from None
    panel = queries.rating_panel(request.user, dossier)
    if not panel.rateable:
        raise Http404(code)  # only its applicant, and only when it is finished
    if request.method == "GET":
        context = rating_context(request, dossier)
        return render(request, "portal/feedback_rating.html", {"dossier": dossier, **context})
    form = RatingForm(request.POST, prefix="rating")
    problem = ""
    if form.is_valid():
        try:
            services.rate_dossier(
                dossier_code=dossier.code, applicant=request.user, level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except NotFound:
            raise Http404(code) from None
        except FeedbackNotAllowed as refused:
            messages.error(request, refused.message)
            return redirect("portal:my_dossier", dossier.code)
        except FeedbackInvalid as invalid:
            _add_errors(form, invalid)
            problem = invalid.message
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá mức độ hài lòng."))
            return redirect("portal:my_dossier", dossier.code)
    context = {"dossier": dossier, "rating_panel": panel, "rating_form": form,
               "problem": problem or _("Đánh giá chưa hợp lệ; hãy sửa các mục được đánh dấu.")}  # fmt: skip
    return render(request, "portal/feedback_rating.html", context, status=422)


# ----- sending feedback ------------------------------------------------------------------------------------------


def _initial(request: HttpRequest) -> dict:
    """The sender's details when logged in, and the subject a link named (?procedure=, ?agency=, ?dossier=)."""
    user = request.user
    initial = {"idempotency_key": str(uuid.uuid4())}
    if user.is_authenticated:
        initial.update({"name": user.full_name, "email": user.email, "phone": user.phone})
    for field in ("procedure", "agency", "dossier"):
        value = request.GET.get(field, "").strip()
        if value:
            initial[field] = value[:60]
    return initial


def _feedback_page(request: HttpRequest, form: FeedbackForm, *, problem: str = "", status: int = 200) -> HttpResponse:
    context = {"form": form, "problem": problem, "rules": queries.rules()}
    response = render(request, "portal/feedback_new.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Gửi phản ánh, kiến nghị: anyone may send one; anonymous senders are throttled per address."""
    if request.method == "GET":
        return _feedback_page(request, FeedbackForm(initial=_initial(request)))
    form = FeedbackForm(request.POST)
    anonymous = not request.user.is_authenticated
    ip = throttle.client_ip(request)
    if anonymous and (minutes := throttle.minutes_left(ip)):
        problem = _("Địa chỉ của bạn đã gửi nhiều phản ánh, kiến nghị trong thời gian ngắn. Hãy thử lại sau %(n)s "
                    "phút, hoặc đăng nhập để gửi ngay.") % {"n": minutes}  # fmt: skip
        return _feedback_page(request, form, problem=problem, status=429)
    if not form.is_valid():
        return _feedback_page(request, form, problem=_("Phản ánh, kiến nghị chưa gửi được; hãy sửa các mục được "
                                                       "đánh dấu."), status=422)  # fmt: skip
    data = form.cleaned_data
    try:
        sent = services.submit_feedback(
            sender=request.user, name=data["name"], email=data["email"], phone=data["phone"], content=data["content"],
            procedure_code=data["procedure"], agency_identifier=data["agency"], dossier_code=data["dossier"],
            idempotency_key=data["idempotency_key"],
        )  # fmt: skip
    except FeedbackInvalid as invalid:
        _add_errors(form, invalid)
        return _feedback_page(request, form, problem=invalid.message, status=422)
    except FeedbackNotAllowed as refused:
        # A used key (the form sent again after it succeeded, then changed): what was typed stays, with a new key.
        form.data = form.data.copy()
        form.data["idempotency_key"] = str(uuid.uuid4())
        return _feedback_page(request, form, problem=refused.message, status=409)
    if anonymous and sent.created:
        throttle.record_submission(ip)
    # Rendered in the POST's own response (never a redirect to a GET): the code exists nowhere else.
    context = {"feedback": sent.feedback, "code": sent.code, "link": _status_link(sent.code)}
    response = render(request, "portal/feedback_sent.html", context)
    add_never_cache_headers(response)
    return response


def _status_link(code: str) -> str:
    return settings.MOTCUA_SITE_URL + reverse("portal:feedback:status", args=[code])


# ----- following feedback by its tracking code -----------------------------------------------------------------------


def _locked(request: HttpRequest, minutes: int) -> HttpResponse:
    context = {"heading": _("Tạm dừng tra cứu"), "message": lookup_throttle.locked_message(minutes)}
    return render(request, "portal/error.html", context, status=429)


def tracking_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never cached, not indexed; a wrong code is the site's 404 and counts against the address like a failed
    dossier lookup (one count with them), so codes cannot be tried out."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        ip = lookup_throttle.client_ip(request)
        if minutes := lookup_throttle.minutes_left(ip):
            response = _locked(request, minutes)
        else:
            try:
                response = view(request, *args, **kwargs)
            except NotFound:
                if lookup_throttle.record_failure(ip):
                    response = _locked(request, lookup_throttle.minutes_left(ip))
                else:
                    response = page_not_found(request)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


@tracking_page
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Theo dõi phản ánh, kiến nghị: the sender types the tracking code they were given."""
    typed = request.POST.get("code", "") if request.method == "POST" else ""
    if request.method == "POST":
        normalised = codes.normalise(typed)
        if normalised is not None:
            return redirect("portal:feedback:status", codes.grouped(normalised))
        error = _("Mã theo dõi gồm 12 chữ cái và chữ số, ví dụ ABCD-EFGH-JKMN. Hãy kiểm tra lại mã đã nhập.")
        return render(request, "portal/feedback_track.html", {"typed": typed, "error": error}, status=422)
    return render(request, "portal/feedback_track.html", {"typed": typed})


def _status_page(
    request: HttpRequest,
    code: str,
    *,
    reply_form: ReplyForm | None = None,
    rating_form: RatingForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    feedback = queries.feedback_by_code(code)
    now = timezone.now()
    can_rate = feedback.status in (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED) and (
        feedback.sender_rating_until is None or now <= feedback.sender_rating_until
    )
    if rating_form is None and can_rate:
        initial = {"level": feedback.sender_rating, "comment": feedback.sender_rating_comment}
        rating_form = RatingForm(initial=initial, prefix="rating")
    if reply_form is None and feedback.status == FeedbackStatus.INFO_REQUESTED:
        reply_form = ReplyForm(initial={"idempotency_key": str(uuid.uuid4())}, prefix="reply")
    context = {
        "feedback": feedback,
        "code": code,
        "events": list(queries.events_of(feedback)),
        "shows_text": SENDER_SEES_TEXT,
        "reply_form": reply_form if feedback.status == FeedbackStatus.INFO_REQUESTED else None,
        "rating_form": rating_form if can_rate else None,
        "problem": problem,
    }
    return render(request, "portal/feedback_status.html", context, status=status)


@tracking_page
@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    """Tình trạng xử lý: the status, the deadlines and the steps of one feedback, by its tracking code."""
    return _status_page(request, code)


@tracking_page
@require_POST
def reply(request: HttpRequest, code: str) -> HttpResponse:
    """Bổ sung thông tin: the sender answers the agency's request for more information."""
    queries.feedback_by_code(code)  # a wrong code is a 404 before anything else
    form = ReplyForm(request.POST, prefix="reply")
    if not form.is_valid():
        return _status_page(request, code, reply_form=form, problem=_("Hãy sửa các mục được đánh dấu."), status=422)
    try:
        services.reply_with_information(
            code=code, content=form.cleaned_data["content"], actor=request.user,
            idempotency_key=form.cleaned_data["idempotency_key"] or None,
        )  # fmt: skip
    except FeedbackInvalid as invalid:
        _add_errors(form, invalid)
        return _status_page(request, code, reply_form=form, problem=invalid.message, status=422)
    except FeedbackNotAllowed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Đã gửi thông tin bổ sung. Cơ quan sẽ tiếp tục xử lý."))
    return redirect("portal:feedback:status", code)


@tracking_page
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """Đánh giá trả lời: the sender's satisfaction with the agency's answer."""
    queries.feedback_by_code(code)
    form = RatingForm(request.POST, prefix="rating")
    if not form.is_valid():
        return _status_page(request, code, rating_form=form, problem=_("Hãy sửa các mục được đánh dấu."), status=422)
    try:
        services.rate_answer(
            code=code, level=form.cleaned_data["level"], comment=form.cleaned_data["comment"], actor=request.user
        )
    except FeedbackInvalid as invalid:
        _add_errors(form, invalid)
        return _status_page(request, code, rating_form=form, problem=invalid.message, status=422)
    except FeedbackNotAllowed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Cảm ơn bạn đã đánh giá kết quả trả lời."))
    return redirect("portal:feedback:status", code)


# ----- the public answers ----------------------------------------------------------------------------------------


@never_cache
@require_GET
def answers(request: HttpRequest) -> HttpResponse:
    """Kết quả trả lời phản ánh, kiến nghị: every published question and answer, newest first; no personal data."""
    agency = request.GET.get("agency", "").strip()
    choices = queries.agency_choices()
    if agency not in {identifier for identifier, _name in choices}:
        agency = ""
    page = Paginator(queries.published_answers(agency_identifier=agency), ANSWERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "answers": queries.public_answers(page.object_list),
        "agencies": choices,
        "agency": agency,
        "query_string": f"agency={agency}&" if agency else "",
    }
    return render(request, "portal/feedback_answers.html", context)
