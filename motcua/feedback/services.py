"""Every write of ratings and feedback: one function per use case, keyword-only arguments, one transaction each.

Handling a feedback (phản ánh, kiến nghị) appends a FeedbackEvent and updates the Feedback projection in the same
transaction, under a lock on the feedback row; an idempotency key already used on it returns the earlier event.
Deadlines are the FeedbackRule rows (data), counted in working days with the working calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import APPLICANT_KINDS, User
from motcua.accounts.services import normalise_phone
from motcua.catalog.models import Agency, AgencyKind, Procedure
from motcua.core.locking import lock_one
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.events import services as events
from motcua.feedback import codes
from motcua.feedback.errors import FeedbackInvalid, FeedbackNotAllowed, NotFound
from motcua.feedback.models import (
    MAX_COMMENT,
    MAX_CONTENT,
    MAX_TEXT,
    OPEN_STATUSES,
    RATEABLE_STATES,
    DayUnit,
    Feedback,
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackRule,
    FeedbackStatus,
    Rating,
    RatingLevel,
    RoutedBy,
    RuleKind,
)
from motcua.feedback.signals import DOSSIER_RATED, FEEDBACK_RECORDED
from motcua.notify.services import notify
from motcua.wallet import services as wallet_services
from motcua.wallet.models import AccessorKind
from motcua.workdays.calendar import UNIT_WORKING_DAY, WorkCalendar
from motcua.workdays.queries import load_calendar

MAX_NAME = 200
# A retried submission (same idempotency key, same sender and content) shows its tracking code again for this
# long; after that the code is only in the sender's hands (a form left open for days is a new submission).
RETRY_MINUTES = 30
# Where feedback goes when neither a dossier, an agency nor a procedure with one agency names who answers for
# it: the province's public service centre, else its People's Committee (one instance serves one province).
FALLBACK_KINDS = (AgencyKind.SERVICE_CENTRE, AgencyKind.PROVINCIAL_PC)
FEEDBACK_LINK = "/feedback/track/"


# ----- rules and deadlines ----------------------------------------------------------------------------------------


def _rules() -> dict[str, tuple[int, str]]:
    found = {rule.kind: (rule.days, rule.unit) for rule in FeedbackRule.objects.all()}
    if set(RuleKind.values) - set(found):
        raise FeedbackNotAllowed(
            _("Chưa cấu hình thời hạn xử lý phản ánh, kiến nghị; hãy báo quản trị hệ thống.")
        )  # fmt: skip
    return found


def _calendar(now: dt.datetime) -> WorkCalendar:
    # The years around `now` (not today's), so that deadlines of any moment are counted with their holidays.
    return load_calendar(years=range(now.year - 1, now.year + 2))


def deadline(
    *,
    start: dt.datetime,
    rule: tuple[int, str],
    calendar: WorkCalendar | None,
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = (),
) -> dt.datetime | None:
    """The end of a step of `rule` = (days, unit) begun at `start`.

    Working days: 17:00 of the N-th working day after the day of `start` (a start on a day off or after hours
    counts from the next working day), plus the working days spent in `pauses`; None while a pause is open.
    Calendar days: N × 24 hours after `start`.
    """
    days, unit = rule
    if unit == DayUnit.CALENDAR_DAY:
        return start + dt.timedelta(days=days)
    calendar = calendar or _calendar(start)
    return calendar.appointment(
        received_at=start, processing_time=days, unit=UNIT_WORKING_DAY, counts_from_next_day_after_cutoff=False,
        pauses=pauses,
    )  # fmt: skip


def _on_time(moment: dt.datetime, due: dt.datetime | None) -> bool:
    return due is None or moment <= due


# ----- ratings of dossiers (đánh giá mức độ hài lòng) ------------------------------------------------------------


def _rating_errors(level: str, comment: str) -> dict[str, str]:
    errors = {}
    if level not in RatingLevel.values:
        errors["level"] = _("Hãy chọn mức độ hài lòng.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Góp ý dài quá %(max)s ký tự.") % {"max": MAX_COMMENT}
    return errors


def rate_dossier(
    *, dossier_code: str, applicant, level: str, comment: str = "", now: dt.datetime | None = None
) -> Rating:
    """Đánh giá mức độ hài lòng: the applicant rates their finished dossier, or changes the rating while its
    window (RuleKind.RATING_CHANGE, from the first rating) is open; then it is frozen.

    Someone else's dossier is "not found", like one that does not exist. The same rating sent twice (a double
    click) changes nothing.
    """
    now = now or timezone.now()
    comment = (comment or "").strip()
    level = (level or "").strip()
    errors = _rating_errors(level, comment)
    if errors:
        raise FeedbackInvalid(_("Đánh giá chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=errors)
    with transaction.atomic():
        found = (
            policy.visible_dossiers(applicant)
            .filter(code=(dossier_code or "").strip(), applicant_id=getattr(applicant, "pk", None))
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise NotFound(_("Không tìm thấy hồ sơ."))
        # The dossier's row lock makes two first ratings at once (two tabs) wait for each other: one is created.
        dossier = lock_one(Dossier, pk=found)
        if dossier.state not in RATEABLE_STATES:
            raise FeedbackNotAllowed(_("Chỉ đánh giá được khi hồ sơ đã trả kết quả hoặc đã dừng xử lý."))
        rating = Rating.objects.filter(dossier=dossier).first()
        if rating is None:
            window = _rules()[RuleKind.RATING_CHANGE]
            rating = Rating.objects.create(
                dossier=dossier, agency_id=dossier.agency_id, applicant=applicant, level=level, comment=comment,
                rated_at=now, changeable_until=deadline(start=now, rule=window, calendar=None),
            )  # fmt: skip
        elif rating.level == level and rating.comment == comment:
            return rating
        elif now > rating.changeable_until:
            raise FeedbackNotAllowed(_("Đã hết thời hạn sửa đánh giá; đánh giá của bạn đã được chốt."))
        else:
            rating.level, rating.comment, rating.changed_at = level, comment, now
            rating.changes += 1
            rating.save(update_fields=["level", "comment", "changed_at", "changes"])
        events.publish(
            event=DOSSIER_RATED,
            payload={"rating": rating.pk, "dossier": dossier.code, "agency": dossier.agency_id, "level": level},
            key=f"{rating.pk}:{rating.changes}",
        )
    return rating


# ----- feedback: submission (gửi phản ánh, kiến nghị) -------------------------------------------------------------


def _clean_contact(name: str, email: str, phone: str, content: str, errors: dict[str, str]) -> tuple[str, str]:
    if not name:
        errors["name"] = _("Hãy nhập họ và tên.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Họ và tên dài quá %(max)s ký tự.") % {"max": MAX_NAME}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Thư điện tử chưa đúng, ví dụ ten@example.vn.")
        if len(email) > 254:
            errors["email"] = _("Thư điện tử dài quá %(max)s ký tự.") % {"max": 254}
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as invalid:
            errors["phone"] = invalid.messages[0]
    if not email and not phone:
        errors["email"] = _("Hãy nhập thư điện tử hoặc số điện thoại để cơ quan liên hệ với bạn.")
    if not content:
        errors["content"] = _("Hãy nhập nội dung phản ánh, kiến nghị.")
    elif len(content) > MAX_CONTENT:
        errors["content"] = _("Nội dung dài quá %(max)s ký tự.") % {"max": MAX_CONTENT}
    return email.lower(), phone


def _subjects(
    sender: User | None, procedure_code: str, agency_identifier: str, dossier_code: str, errors: dict[str, str]
) -> tuple[Procedure | None, Agency | None, Dossier | None]:
    procedure = agency = dossier = None
    if procedure_code:
        procedure = Procedure.objects.filter(code=procedure_code).prefetch_related("agencies").first()
        if procedure is None:
            errors["procedure"] = _("Không có thủ tục mang mã này. Hãy kiểm tra lại (ví dụ 1.001193) hoặc để trống.")
    if agency_identifier:
        agency = Agency.objects.filter(identifier=agency_identifier, is_active=True).first()
        if agency is None:
            errors["agency"] = _("Hãy chọn cơ quan trong danh sách, hoặc để trống.")
    if dossier_code:
        # A dossier reference only from its applicant: anyone else learns nothing of whether the code exists.
        if sender is None or sender.kind not in APPLICANT_KINDS:
            errors["dossier"] = _("Chỉ chủ hồ sơ đã đăng nhập mới phản ánh được về một hồ sơ. Hãy đăng nhập, hoặc "
                                  "để trống mã hồ sơ.")  # fmt: skip
        else:
            dossier = (
                policy.visible_dossiers(sender)
                .filter(code=dossier_code.upper(), applicant=sender)
                .select_related("agency")
                .first()
            )
            if dossier is None:
                errors["dossier"] = _("Không tìm thấy hồ sơ này trong các hồ sơ của bạn. Hãy kiểm tra lại mã hồ sơ.")
    return procedure, agency, dossier


def route(*, dossier: Dossier | None, agency: Agency | None, procedure: Procedure | None) -> tuple[Agency, str] | None:
    """Cơ quan xử lý: the dossier's agency; else the agency the sender named; else the procedure's agency when it
    has exactly one (active); else the province's public service centre, else its People's Committee. None when
    none of these exists (a ministry's instance without a centre): the sender must then name an agency."""
    if dossier is not None:
        return dossier.agency, RoutedBy.DOSSIER
    if agency is not None:
        return agency, RoutedBy.AGENCY
    if procedure is not None:
        active = [candidate for candidate in procedure.agencies.all() if candidate.is_active]
        if len(active) == 1:
            return active[0], RoutedBy.PROCEDURE
    for kind in FALLBACK_KINDS:
        fallback = Agency.objects.filter(kind=kind, is_active=True).order_by("identifier").first()
        if fallback is not None:
            return fallback, RoutedBy.FALLBACK
    return None


@dataclass(frozen=True)
class Submission:
    """What a sender gets back: the feedback, its tracking code (shown once), and whether it was new (False for a
    retry of the same submission)."""

    feedback: Feedback
    code: str
    created: bool


def submit_feedback(
    *,
    sender: User | None,
    name: str,
    email: str = "",
    phone: str = "",
    content: str,
    procedure_code: str = "",
    agency_identifier: str = "",
    dossier_code: str = "",
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Submission:
    """Gửi phản ánh, kiến nghị: anyone, logged in (`sender`) or not (None). Returns the feedback and its tracking
    code, which exists nowhere else (only its digest is kept).

    Idempotent by key: the same key from the same sender with the same content, within RETRY_MINUTES, returns
    the same feedback and code; anything else with a used key is refused.
    """
    now = now or timezone.now()
    sender = sender if getattr(sender, "is_authenticated", False) else None
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    content = (content or "").strip()
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise FeedbackInvalid(_("Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại."))
    earlier = Feedback.objects.filter(submission_digest=codes.key_digest(key)).first()
    if earlier is not None:
        return _retried(earlier, key=key, sender=sender, content=content, now=now)
    errors: dict[str, str] = {}
    email, phone = _clean_contact(name, email, phone, content, errors)
    procedure, agency, dossier = _subjects(
        sender, (procedure_code or "").strip(), (agency_identifier or "").strip(), (dossier_code or "").strip(),
        errors,
    )  # fmt: skip
    if errors:
        raise FeedbackInvalid(_("Phản ánh, kiến nghị chưa gửi được; hãy sửa các mục được đánh dấu."), errors=errors)
    routed = route(dossier=dossier, agency=agency, procedure=procedure)
    if routed is None:
        message = _("Hãy chọn cơ quan tiếp nhận phản ánh, kiến nghị.")
        raise FeedbackInvalid(message, errors={"agency": message})
    responsible, routed_by = routed
    rules = _rules()
    calendar = _calendar(now)
    code = codes.code_for_key(key)
    answer_due = deadline(start=now, rule=rules[RuleKind.ANSWER], calendar=calendar)
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                digest=codes.digest(code), hint=codes.normalise(code)[-4:], submission_digest=codes.key_digest(key),
                sender=sender, sender_name=name, sender_email=email, sender_phone=phone, content=content,
                procedure=procedure, named_agency=agency, dossier=dossier, agency=responsible, routed_by=routed_by,
                status=FeedbackStatus.RECEIVED, received_at=now, rules={k: list(rule) for k, rule in rules.items()},
                refuse_due=deadline(start=now, rule=rules[RuleKind.REFUSE], calendar=calendar),
                info_due=deadline(start=now, rule=rules[RuleKind.REQUEST_INFO], calendar=calendar),
                answer_due=answer_due, due_at=answer_due,
            )  # fmt: skip
            _append(
                feedback, kind=FeedbackEventKind.SUBMIT, actor=sender, at=now, from_status="",
                comment=content, data={"routed_by": routed_by},
            )  # fmt: skip
    except IntegrityError:
        earlier = Feedback.objects.filter(submission_digest=codes.key_digest(key)).first()
        if earlier is None:
            raise  # not the same key sent twice at once: a real conflict
        return _retried(earlier, key=key, sender=sender, content=content, now=now)
    return Submission(feedback=feedback, code=code, created=True)


def _retried(earlier: Feedback, *, key: str, sender: User | None, content: str, now: dt.datetime) -> Submission:
    same_sender = earlier.sender_id == (sender.pk if sender else None)
    recent = dt.timedelta(0) <= now - earlier.received_at <= dt.timedelta(minutes=RETRY_MINUTES)
    code = codes.code_for_key(key)
    # The digest check also catches a changed secret key, which would give another code.
    if same_sender and recent and earlier.content == content and codes.digest(code) == earlier.digest:
        return Submission(feedback=earlier, code=code, created=False)
    raise FeedbackNotAllowed(
        _("Phản ánh, kiến nghị này đã được gửi. Hãy dùng mã theo dõi đã nhận để xem tình trạng xử lý.")
    )


# ----- feedback: the log ------------------------------------------------------------------------------------------


def _append(
    feedback: Feedback,
    *,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    from_status: str,
    comment: str = "",
    data: dict | None = None,
    idempotency_key: str | None = None,
    agency: Agency | None = None,
) -> FeedbackEvent:
    last_seq = feedback.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    event = FeedbackEvent.objects.create(
        feedback=feedback, seq=last_seq + 1, kind=kind, at=at, actor=actor, actor_agency=agency,
        from_status=from_status, to_status=feedback.status, comment=comment, data=data or {},
        idempotency_key=idempotency_key or None,
    )  # fmt: skip
    events.publish(
        event=FEEDBACK_RECORDED,
        payload={
            "feedback": str(feedback.pk),
            "event": event.pk,
            "kind": kind,
            "status": feedback.status,
            "agency": feedback.agency_id,
        },  # fmt: skip
        key=str(event.pk),
    )
    return event


def _notify_sender(feedback: Feedback, *, title: str, body: str, now: dt.datetime) -> None:
    """A logged-in sender also hears of each step in their notifications (and by email, through the outbox)."""
    if feedback.sender_id is None:
        return
    notify(user=feedback.sender, title=title, body=body, link=FEEDBACK_LINK, now=now)


def _lock_for_officer(feedback_id, officer) -> Feedback:
    """The feedback row, locked, if `officer` holds a role at its agency; NotFound otherwise (or if no such row).

    Feedback rows are locked alone (never together with rows of another model), so no lock order is needed.
    """
    agencies = list(policy.officer_roles(officer))
    feedback = (
        Feedback.objects.select_for_update().filter(pk=feedback_id, agency_id__in=agencies).first()
        if agencies and _is_uuid(feedback_id)
        else None
    )
    if feedback is None:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị này."))
    return feedback


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _text(value: str, *, field: str, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise FeedbackInvalid(missing, errors={field: missing})
    if len(text) > MAX_TEXT:
        message = _("Nội dung dài quá %(max)s ký tự.") % {"max": MAX_TEXT}
        raise FeedbackInvalid(message, errors={field: message})
    return text


def _not_now(feedback: Feedback, kind: str) -> FeedbackNotAllowed:
    return FeedbackNotAllowed(
        _("Không thể “%(action)s” khi phản ánh, kiến nghị đang ở tình trạng “%(status)s”.")
        % {"action": FeedbackEventKind(kind).label, "status": feedback.get_status_display()}
    )


def _officer_step(feedback_id, officer, kind: str, idempotency_key: str | None, now: dt.datetime | None, apply):
    """One officer's step: lock, replay a used key, check the status, apply (which changes the projection and
    returns the event's comment and data), save, log, all in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback = _lock_for_officer(feedback_id, officer)
        if idempotency_key:
            earlier = feedback.events.filter(idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        from_status = feedback.status
        comment, data = apply(feedback, now)
        feedback.save()
        return _append(
            feedback, kind=kind, actor=officer, agency=feedback.agency, at=now, from_status=from_status,
            comment=comment, data=data, idempotency_key=idempotency_key,
        )  # fmt: skip


def _with_language(build):
    """Texts stored or sent to the sender are in the site's language, whatever the officer's page language."""
    with translation.override(settings.LANGUAGE_CODE):
        return build()


def refuse_feedback(
    *, feedback_id, officer, reason: str, idempotency_key: str | None = None, now: dt.datetime | None = None
) -> FeedbackEvent:
    """Từ chối tiếp nhận, with the reason the sender reads; on time when within the refusal deadline (2 working
    days of receipt by default)."""
    reason = _text(reason, field="reason", missing=_("Hãy nêu lý do từ chối tiếp nhận."))

    def apply(feedback: Feedback, now: dt.datetime):
        if feedback.status not in OPEN_STATUSES:
            raise _not_now(feedback, FeedbackEventKind.REFUSE)
        on_time = _on_time(now, feedback.refuse_due)
        feedback.status, feedback.refused_at, feedback.refusal_reason = FeedbackStatus.REFUSED, now, reason
        feedback.refused_on_time, feedback.due_at = on_time, None
        title = _with_language(lambda: _("Phản ánh, kiến nghị của bạn không được tiếp nhận"))
        _notify_sender(feedback, title=title, body=reason, now=now)
        return reason, {"on_time": on_time}

    return _officer_step(feedback_id, officer, FeedbackEventKind.REFUSE, idempotency_key, now, apply)


def request_information(
    *, feedback_id, officer, request: str, idempotency_key: str | None = None, now: dt.datetime | None = None
) -> FeedbackEvent:
    """Đề nghị bổ sung thông tin: once, before answering; the answer's clock stops until the sender replies (or
    the agency answers without the reply). On time when within 5 working days of receipt by default."""
    request = _text(request, field="request", missing=_("Hãy nêu thông tin người gửi cần bổ sung."))

    def apply(feedback: Feedback, now: dt.datetime):
        if feedback.status != FeedbackStatus.RECEIVED:
            raise _not_now(feedback, FeedbackEventKind.REQUEST_INFO)
        if feedback.info_requested_at is not None:
            raise FeedbackNotAllowed(_("Đã đề nghị người gửi bổ sung thông tin một lần; hãy trả lời phản ánh."))
        on_time = _on_time(now, feedback.info_due)
        feedback.status, feedback.info_requested_at, feedback.info_request = FeedbackStatus.INFO_REQUESTED, now, request
        feedback.info_requested_on_time, feedback.answer_due, feedback.due_at = on_time, None, None
        title = _with_language(lambda: _("Cơ quan đề nghị bạn bổ sung thông tin cho phản ánh, kiến nghị"))
        _notify_sender(feedback, title=title, body=request, now=now)
        return request, {"on_time": on_time}

    return _officer_step(feedback_id, officer, FeedbackEventKind.REQUEST_INFO, idempotency_key, now, apply)


def _answer_due(feedback: Feedback, *, paused_until: dt.datetime | None) -> dt.datetime | None:
    """The answer deadline from receipt, plus the working days spent waiting for the sender's information."""
    pauses = [(feedback.info_requested_at, paused_until)] if feedback.info_requested_at else []
    return deadline(start=feedback.received_at, rule=tuple(feedback.rules[RuleKind.ANSWER]), calendar=None,
                    pauses=pauses)  # fmt: skip


def answer_feedback(
    *, feedback_id, officer, answer: str, idempotency_key: str | None = None, now: dt.datetime | None = None
) -> FeedbackEvent:
    """Trả lời: the agency's answer, which the sender reads at once; on time when within the answer deadline
    (15 working days of receipt by default, not counting the wait for information). Publication is due next."""
    answer = _text(answer, field="answer", missing=_("Hãy nhập nội dung trả lời."))

    def apply(feedback: Feedback, now: dt.datetime):
        if feedback.status not in OPEN_STATUSES:
            raise _not_now(feedback, FeedbackEventKind.ANSWER)
        data = {}
        if feedback.status == FeedbackStatus.INFO_REQUESTED:
            # Answered without the sender's reply: the wait ends now.
            feedback.answer_due = _answer_due(feedback, paused_until=now)
            data["without_reply"] = True
        on_time = _on_time(now, feedback.answer_due)
        feedback.status, feedback.answered_at, feedback.answer = FeedbackStatus.ANSWERED, now, answer
        feedback.answered_on_time = on_time
        feedback.publish_due = deadline(start=now, rule=tuple(feedback.rules[RuleKind.PUBLISH]), calendar=None)
        feedback.due_at = feedback.publish_due
        title = _with_language(lambda: _("Phản ánh, kiến nghị của bạn đã được trả lời"))
        _notify_sender(feedback, title=title, body=answer, now=now)
        return answer, {**data, "on_time": on_time}

    return _officer_step(feedback_id, officer, FeedbackEventKind.ANSWER, idempotency_key, now, apply)


def publish_answer(
    *,
    feedback_id,
    officer,
    public_question: str,
    public_answer: str,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> FeedbackEvent:
    """Công khai kết quả trả lời: the question and answer as the public reads them, which the officer has
    cleared of personal data (the sender's name, contact and dossier code are never shown). On time when within
    the publication deadline (2 working days after the answer by default)."""
    errors: dict[str, str] = {}
    texts = {}
    for field, value, missing in (
        ("public_question", public_question, _("Hãy nhập nội dung phản ánh được công khai.")),
        ("public_answer", public_answer, _("Hãy nhập nội dung trả lời được công khai.")),
    ):
        try:
            texts[field] = _text(value, field=field, missing=missing)
        except FeedbackInvalid as invalid:
            errors.update(invalid.errors)
    if errors:
        raise FeedbackInvalid(_("Chưa công khai được; hãy sửa các mục được đánh dấu."), errors=errors)
    question, answer = texts["public_question"], texts["public_answer"]

    def apply(feedback: Feedback, now: dt.datetime):
        if feedback.status != FeedbackStatus.ANSWERED:
            raise _not_now(feedback, FeedbackEventKind.PUBLISH)
        on_time = _on_time(now, feedback.publish_due)
        feedback.status, feedback.published_at = FeedbackStatus.PUBLISHED, now
        feedback.public_question, feedback.public_answer = question, answer
        feedback.published_on_time, feedback.due_at = on_time, None
        title = _with_language(lambda: _("Trả lời phản ánh, kiến nghị của bạn đã được công khai"))
        _notify_sender(feedback, title=title, body=answer, now=now)
        return "", {"on_time": on_time}

    return _officer_step(feedback_id, officer, FeedbackEventKind.PUBLISH, idempotency_key, now, apply)


def record_officer_view(*, feedback: Feedback, officer, now: dt.datetime | None = None) -> None:
    """An officer opened a logged-in sender's feedback (their name and contact): the read is in the sender's
    access log, as a dossier's is. Anonymous senders have no account, hence no log."""
    if feedback.sender_id is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(feedback.received_at).strftime("%H:%M %d/%m/%Y")
        what = _("Phản ánh, kiến nghị gửi lúc %(when)s") % {"when": when}
        purpose = _("Xử lý phản ánh, kiến nghị")
    wallet_services.record_access(
        subject=feedback.sender, accessor_kind=AccessorKind.OFFICER, accessor=officer,
        accessor_name=officer.full_name or officer.get_username(), accessor_agency=feedback.agency, what=what,
        reference=str(feedback.pk), purpose=purpose, at=now,
    )  # fmt: skip


# ----- feedback: the sender's steps, by tracking code --------------------------------------------------------------


def _lock_by_code(code: str) -> Feedback:
    digest = codes.digest(code)
    feedback = Feedback.objects.select_for_update().filter(digest=digest).first() if digest else None
    if feedback is None:
        raise NotFound(_("Mã theo dõi không đúng. Hãy kiểm tra lại mã đã nhận khi gửi phản ánh, kiến nghị."))
    return feedback


def reply_with_information(
    *, code: str, content: str, actor=None, idempotency_key: str | None = None, now: dt.datetime | None = None
) -> FeedbackEvent:
    """Bổ sung thông tin: the sender answers the agency's request; the answer's clock runs again, its deadline
    moved by the working days waited."""
    now = now or timezone.now()
    content = (content or "").strip()
    if not content:
        message = _("Hãy nhập thông tin bổ sung.")
        raise FeedbackInvalid(message, errors={"content": message})
    if len(content) > MAX_CONTENT:
        message = _("Nội dung dài quá %(max)s ký tự.") % {"max": MAX_CONTENT}
        raise FeedbackInvalid(message, errors={"content": message})
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        feedback = _lock_by_code(code)
        if idempotency_key:
            earlier = feedback.events.filter(idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        if feedback.status != FeedbackStatus.INFO_REQUESTED:
            raise _not_now(feedback, FeedbackEventKind.REPLY)
        feedback.status, feedback.info_replied_at, feedback.info_reply = FeedbackStatus.RECEIVED, now, content
        feedback.answer_due = _answer_due(feedback, paused_until=now)
        feedback.due_at = feedback.answer_due
        feedback.save()
        return _append(
            feedback, kind=FeedbackEventKind.REPLY, actor=actor, at=now, from_status=FeedbackStatus.INFO_REQUESTED,
            comment=content, idempotency_key=idempotency_key,
        )  # fmt: skip


def rate_answer(
    *, code: str, level: str, comment: str = "", actor=None, now: dt.datetime | None = None
) -> FeedbackEvent | None:
    """Đánh giá trả lời: the sender's satisfaction with the agency's answer, changeable within the rating window
    (from the first rating), then frozen. The same rating sent twice changes nothing (returns None)."""
    now = now or timezone.now()
    comment, level = (comment or "").strip(), (level or "").strip()
    errors = _rating_errors(level, comment)
    if errors:
        raise FeedbackInvalid(_("Đánh giá chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=errors)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        feedback = _lock_by_code(code)
        if feedback.status not in (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED):
            raise FeedbackNotAllowed(_("Chỉ đánh giá được sau khi cơ quan đã trả lời."))
        if feedback.sender_rated_at is None:
            feedback.sender_rated_at = now
            feedback.sender_rating_until = deadline(
                start=now, rule=_rules()[RuleKind.RATING_CHANGE], calendar=None
            )  # fmt: skip
        elif feedback.sender_rating == level and feedback.sender_rating_comment == comment:
            return None
        elif now > feedback.sender_rating_until:
            raise FeedbackNotAllowed(_("Đã hết thời hạn sửa đánh giá; đánh giá của bạn đã được chốt."))
        feedback.sender_rating, feedback.sender_rating_comment = level, comment
        feedback.save()
        return _append(
            feedback, kind=FeedbackEventKind.RATE, actor=actor, at=now, from_status=feedback.status,
            comment=comment, data={"level": level},
        )  # fmt: skip
