"""The dossier aggregate.

The action log is the record: every change to a dossier is a `DossierAction` appended in the same
transaction that updates the `Dossier` row, which is only a projection of the log (current state,
step, assignee, deadlines) kept for fast worklists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency, ComponentRequirement, ProcedureVersion, ProcessingStep
from motcua.documents.models import StoredDocument


class DossierState(models.IntegerChoices):
    """Trạng thái hồ sơ, by the national code list used for synchronisation."""

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT_REQUESTED = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    RESULT_READY = 9, _("Đã xử lý xong")
    RESULT_RETURNED = 10, _("Đã trả kết quả")


# The role recorded when the system itself acts (a payment gateway's verified notification).
SYSTEM_ROLE = "system"

FINAL_STATES = (DossierState.REFUSED, DossierState.WITHDRAWN, DossierState.STOPPED, DossierState.RESULT_RETURNED)


class ChannelCode(models.IntegerChoices):
    """Kênh nộp hồ sơ (national codes)."""

    DIRECT = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Bưu chính công ích")


class Dossier(models.Model):
    """Hồ sơ: one application by one applicant under one pinned procedure version."""

    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục (phiên bản)")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("cơ quan tiếp nhận")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("chủ hồ sơ")
    )
    applicant_name = models.CharField(_("tên chủ hồ sơ"), max_length=200)
    applicant_identifier = models.CharField(_("số định danh / mã số thuế"), max_length=14)
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=ChannelCode.choices)
    is_full_process = models.BooleanField(_("toàn trình"), default=False)
    state = models.PositiveSmallIntegerField(_("trạng thái"), choices=DossierState.choices)
    resume_state = models.PositiveSmallIntegerField(
        _("trạng thái sau khi bổ sung"), choices=DossierState.choices, null=True, blank=True
    )
    form_data = models.JSONField(_("dữ liệu biểu mẫu"), default=dict)
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng tính thời gian từ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    current_step = models.ForeignKey(
        ProcessingStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bước hiện tại"),
    )
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_deadline = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("cán bộ được giao"),
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    submission_key = models.CharField(
        _("khóa chống nộp trùng"), max_length=100, null=True, blank=True, help_text=_("Idempotency-Key của lần nộp.")
    )
    revision = models.PositiveIntegerField(
        _("phiên bản dữ liệu"), default=1, help_text=_("Tăng mỗi lần hồ sơ thay đổi; dùng để phát hiện xung đột.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__gte=1, state__lte=10), name="dossier_state_national_code"),
            models.UniqueConstraint(
                fields=["applicant", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="dossier_submission_once",
            ),
            models.CheckConstraint(condition=Q(channel__gte=1, channel__lte=3), name="dossier_channel_national_code"),
            models.CheckConstraint(
                condition=~Q(state=DossierState.SUPPLEMENT_REQUESTED) | Q(paused_at__isnull=False),
                name="dossier_supplement_pauses_clock",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[DossierState.SUBMITTED, DossierState.REFUSED, DossierState.WITHDRAWN])
                | Q(received_at__isnull=False)
                | Q(state=DossierState.SUPPLEMENT_REQUESTED, resume_state=DossierState.SUBMITTED),
                name="dossier_received_has_date",
            ),
        ]
        indexes = [
            # Danh sách việc (dossiers.queries.worklist_counts): every column the five counts read, so that they
            # are one index-only scan of the agency's entries instead of one heap page per dossier.
            models.Index(
                fields=["agency", "state", "appointment_at", "assignee", "current_step"],
                name="dossier_worklist_counts_idx",
            ),
            # The lists' order (nearest appointment first): the first page is read in order, never sorted.
            models.Index(fields=["agency", "appointment_at", "submitted_at", "id"], name="dossier_agency_order_idx"),
            # The same order over unfinished dossiers only (queue, due soon, overdue): finished ones, the bulk of
            # an agency's rows after a few months, are not in it to be skipped.
            models.Index(
                fields=["agency", "appointment_at", "submitted_at", "id"],
                condition=Q(state__in=[state for state in DossierState if state not in FINAL_STATES]),
                name="dossier_active_order_idx",
            ),
            models.Index(fields=["assignee", "state"], name="dossier_assignee_idx"),
            models.Index(fields=["applicant", "-submitted_at"], name="dossier_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


class ActionKind(models.TextChoices):
    SUBMIT = "submit", _("Nộp hồ sơ trực tuyến")
    REGISTER_DIRECT = "register_direct", _("Tiếp nhận hồ sơ trực tiếp")
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung, hoàn thiện hồ sơ")
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    ASSIGN = "assign", _("Phân công xử lý")
    HAND_OFF = "hand_off", _("Chuyển bước xử lý")
    RETURN_STEP = "return_step", _("Trả lại bước trước")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    CONFIRM_PAYMENT = "confirm_payment", _("Xác nhận đã nộp phí, lệ phí")
    APPROVE = "approve", _("Phê duyệt kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    WITHDRAW = "withdraw", _("Rút hồ sơ")
    EXTEND = "extend", _("Xin lỗi và gia hạn")
    STOP = "stop", _("Dừng xử lý")
    VIEW = "view", _("Xem hồ sơ")


class DossierAction(models.Model):
    """Hành động trên hồ sơ: one appended, never changed entry of the dossier's log."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="actions")
    seq = models.PositiveIntegerField(_("thứ tự"))
    kind = models.CharField(_("hành động"), max_length=30, choices=ActionKind.choices)
    from_state = models.PositiveSmallIntegerField(choices=DossierState.choices, null=True, blank=True)
    to_state = models.PositiveSmallIntegerField(choices=DossierState.choices, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
        help_text=_("Trống khi hệ thống thực hiện (ví dụ cổng thanh toán xác nhận đã nộp phí)."),
    )
    actor_role = models.CharField(_("vai trò"), max_length=20)
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("thời điểm"))
    comment = models.TextField(_("ý kiến"), blank=True)
    step = models.ForeignKey(ProcessingStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        verbose_name = _("hành động trên hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="action_seq_unique"),
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(actor_role=SYSTEM_ROLE), name="action_actor_or_system"
            ),
            models.UniqueConstraint(
                fields=["dossier", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="action_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.kind}"


class ComponentSource(models.TextChoices):
    UPLOAD = "upload", _("Công dân tải lên")
    DIGITISED = "digitised", _("Số hóa tại bộ phận một cửa")
    REUSED = "reused", _("Tái sử dụng từ kho dữ liệu")


class DossierComponent(models.Model):
    """Thành phần hồ sơ đã nộp: a reference to a stored document for one requirement of the procedure."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    requirement = models.ForeignKey(
        ComponentRequirement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(StoredDocument, on_delete=models.PROTECT, related_name="dossier_uses")
    source = models.CharField(_("nguồn"), max_length=20, choices=ComponentSource.choices)
    supplement_round = models.PositiveSmallIntegerField(_("lần bổ sung"), default=0)
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")
        ordering = ["dossier", "requirement__position", "added_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.document_id}"


class DossierCodeCounter(models.Model):
    """The last dossier number given by an agency on a day; rows are locked to hand out gap-free numbers."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_counter_unique"),
            models.CheckConstraint(condition=Q(last__lte=9999), name="code_counter_four_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.day}: {self.last}"


class Draft(models.Model):
    """Hồ sơ nháp: an application being prepared, saved as the applicant types, resumable anywhere."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    form_data = models.JSONField(default=dict, blank=True)
    documents = models.JSONField(default=dict, blank=True, help_text=_("Mã yêu cầu → mã tài liệu đã tải lên."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.applicant_id}: {self.procedure_version_id}"
