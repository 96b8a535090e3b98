"""Catalogue tables: administrative units, agencies, fields, document types and procedures.

A procedure (thủ tục hành chính) has versions. A version is drafted, then published; a published
version never changes (a dossier pins the version it was filed under), it is only superseded by a
newer one.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold

PROCEDURE_CODE_PATTERN = r"^[0-9]{1,2}\.[0-9]{6}$"
AGENCY_IDENTIFIER_PATTERN = r"^[A-Z0-9]{1,3}(\.[A-Z0-9]{2,3}){0,4}$"
SLUG_CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính: a province, a commune, or a district of the old three-tier system.

    Units are effective-dated: a merged or renamed unit keeps its row (valid_to set) and points to
    its successors, so old dossiers keep the unit they were filed with.
    """

    code = models.CharField(_("mã"), max_length=10, help_text=_("Mã đơn vị hành chính (Tổng cục Thống kê)."))
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại đơn vị"), max_length=40)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("trực thuộc"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self", verbose_name=_("đơn vị kế thừa"), symmetrical=False, blank=True, related_name="predecessors"
    )
    codename = models.CharField(max_length=120, blank=True)
    folded_name = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="unit_code_valid_from_unique"),
            models.UniqueConstraint(
                fields=["level", "code"], condition=Q(valid_to__isnull=True), name="unit_current_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(level=UnitLevel.PROVINCE, parent__isnull=True) | ~Q(level=UnitLevel.PROVINCE),
                name="unit_province_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.folded_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "folded_name"}
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", _("Bộ, cơ quan ngang bộ")
    MINISTRY_UNIT = "ministry_unit", _("Cục, tổng cục thuộc bộ")
    PROVINCIAL_PC = "provincial_pc", _("Ủy ban nhân dân cấp tỉnh")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Sở, ban, ngành cấp tỉnh")
    PROVINCIAL_POLICE = "provincial_police", _("Công an cấp tỉnh")
    COMMUNE_PC = "commune_pc", _("Ủy ban nhân dân cấp xã")
    COMMUNE_POLICE = "commune_police", _("Công an cấp xã")
    SERVICE_CENTRE = "service_centre", _("Trung tâm phục vụ hành chính công")
    ONE_STOP_DESK = "one_stop_desk", _("Bộ phận một cửa")


class Agency(models.Model):
    """Cơ quan, đơn vị: an agency with its identifier under QCVN 102:2016 (e.g. H15.50)."""

    identifier = models.CharField(
        _("mã định danh"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(AGENCY_IDENTIFIER_PATTERN, _("Mã định danh theo QCVN 102:2016, ví dụ H15.50."))],
    )
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại cơ quan"), max_length=30, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("Trống đối với cơ quan trung ương."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    folded_name = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["identifier"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="agency_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    def save(self, *args, **kwargs) -> None:
        self.folded_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "folded_name"}
        super().save(*args, **kwargs)


class Field(models.Model):
    """Lĩnh vực: the field a procedure belongs to (civil status, enterprise, land, ...)."""

    code = models.CharField(
        _("mã"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(SLUG_CODE_PATTERN, _("Chữ thường, số và dấu gạch ngang."))],
    )
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    folded_name = models.CharField(max_length=200, editable=False, default="")

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["folded_name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Sorting by the folded name puts "Căn cước" before "Chứng thực", as a Vietnamese reader expects.
        self.folded_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "folded_name"}
        super().save(*args, **kwargs)


class DocumentType(models.Model):
    """Loại giấy tờ: a kind of document that a wallet can hold and a procedure can reuse or issue."""

    code = models.CharField(
        _("mã"),
        max_length=80,
        unique=True,
        validators=[RegexValidator(SLUG_CODE_PATTERN, _("Chữ thường, số và dấu gạch ngang."))],
    )
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("loại giấy tờ")
        verbose_name_plural = _("loại giấy tờ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: identity of a procedure across its versions, by national code."""

    code = models.CharField(
        _("mã thủ tục"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(PROCEDURE_CODE_PATTERN, _("Mã thủ tục quốc gia, ví dụ 1.001193."))],
    )
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("cơ quan thực hiện"),
        blank=True,
        related_name="procedures",
        help_text=_("Cơ quan công bố thực hiện thủ tục này."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã công bố")
    SUPERSEDED = "superseded", _("Đã được thay thế")


class Level(models.TextChoices):
    MINISTRY = "ministry", _("Cấp bộ")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class Channel(models.TextChoices):
    """Kênh nộp hồ sơ; the national codes are 1 direct, 2 online, 3 postal."""

    DIRECT = "direct", _("Trực tiếp tại bộ phận một cửa")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Qua dịch vụ bưu chính công ích")


class FormFieldType(models.TextChoices):
    TEXT = "text", _("Văn bản")
    TEXTAREA = "textarea", _("Văn bản dài")
    NUMBER = "number", _("Số")
    DATE = "date", _("Ngày tháng")
    CHOICE = "choice", _("Lựa chọn")
    NATIONAL_ID = "national_id", _("Số định danh cá nhân")
    PHONE = "phone", _("Số điện thoại")
    EMAIL = "email", _("Thư điện tử")
    ADDRESS = "address", _("Địa chỉ (tỉnh, xã)")
    TABLE = "table", _("Bảng nhiều dòng")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    WORKING_HOUR = "working_hour", _("giờ làm việc")


class ServiceLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class OfficerRole(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt, ký")
    ADMINISTRATOR = "administrator", _("Quản trị cơ quan")
    AUDITOR = "auditor", _("Kiểm tra, giám sát")


class FeesDue(models.TextChoices):
    """When the applicant pays a procedure's fees: with the dossier, or when the agency asks (state 6)."""

    ON_SUBMISSION = "on_submission", _("khi nộp hồ sơ")
    ON_REQUEST = "on_request", _("khi cơ quan giải quyết yêu cầu")


class ProcedureVersion(models.Model):
    """One version of a procedure's content. Published versions are immutable."""

    IMMUTABLE_WHEN_PUBLISHED = (
        "name",
        "field_id",
        "levels",
        "competent_agency_kind",
        "competent_agency_name",
        "for_citizens",
        "for_organisations",
        "processing_time",
        "processing_time_unit",
        "processing_time_note",
        "counts_from_next_day_after_cutoff",
        "service_level",
        "channel_online",
        "channel_direct",
        "channel_postal",
        "fileable_anywhere_in_province",
        "result_name",
        "result_document_type_id",
        "form_schema",
        "steps_description",
        "requirements",
        "legal_basis",
        "number",
        "procedure_id",
    )

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    is_current = models.BooleanField(_("đang áp dụng"), default=False)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="versions")
    levels = models.JSONField(_("cấp thực hiện"), default=list, help_text=_("Danh sách: ministry, province, commune."))
    at_ministry = models.BooleanField(default=False, editable=False)
    at_province = models.BooleanField(default=False, editable=False)
    at_commune = models.BooleanField(default=False, editable=False)
    competent_agency_kind = models.CharField(_("loại cơ quan có thẩm quyền"), max_length=30, choices=AgencyKind.choices)
    competent_agency_name = models.CharField(_("cơ quan có thẩm quyền"), max_length=500)
    for_citizens = models.BooleanField(_("đối tượng: công dân"), default=True)
    for_organisations = models.BooleanField(_("đối tượng: tổ chức, doanh nghiệp"), default=False)
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    processing_time_unit = models.CharField(_("đơn vị thời gian"), max_length=12, choices=TimeUnit.choices)
    processing_time_note = models.CharField(_("ghi chú thời hạn"), max_length=500, blank=True)
    counts_from_next_day_after_cutoff = models.BooleanField(
        _("nhận sau 15 giờ tính từ ngày làm việc tiếp theo"), default=False
    )
    service_level = models.CharField(_("mức độ dịch vụ công"), max_length=10, choices=ServiceLevel.choices)
    fees_due = models.CharField(
        _("thời điểm nộp phí, lệ phí"), max_length=20, choices=FeesDue.choices, default=FeesDue.ON_REQUEST
    )
    channel_online = models.BooleanField(_("nộp trực tuyến"), default=True)
    channel_direct = models.BooleanField(_("nộp trực tiếp"), default=True)
    channel_postal = models.BooleanField(_("nộp qua bưu chính công ích"), default=False)
    fileable_anywhere_in_province = models.BooleanField(
        _("tiếp nhận không phụ thuộc địa giới hành chính"), default=False
    )
    result_name = models.CharField(_("kết quả thực hiện"), max_length=500)
    result_document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại giấy tờ kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_by_versions",
    )
    form_schema = models.JSONField(_("biểu mẫu điện tử"), default=dict, blank=True)
    steps_description = models.TextField(_("trình tự thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    folded_name = models.CharField(max_length=500, editable=False, default="")
    folded_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status=VersionStatus.DRAFT), name="version_one_draft"
            ),
            models.UniqueConstraint(fields=["procedure"], condition=Q(is_current=True), name="version_one_current"),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status=VersionStatus.PUBLISHED), name="version_current_is_published"
            ),
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT) | Q(published_at__isnull=False),
                name="version_published_has_date",
            ),
            models.CheckConstraint(condition=Q(processing_time__gt=0), name="version_time_positive"),
            models.CheckConstraint(
                condition=Q(at_ministry=True) | Q(at_province=True) | Q(at_commune=True), name="version_has_level"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "field"], name="version_current_field_idx")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            stored = (
                ProcedureVersion.objects.filter(pk=self.pk).values("status", *self.IMMUTABLE_WHEN_PUBLISHED).first()
            )
            if stored and stored.pop("status") != VersionStatus.DRAFT:
                changed = [name for name, value in stored.items() if getattr(self, name) != value]
                if changed:
                    raise ValidationError(
                        _("Phiên bản đã công bố không được sửa (%(fields)s).") % {"fields": ", ".join(changed)}
                    )
        levels = set(self.levels or [])
        self.at_ministry = Level.MINISTRY in levels
        self.at_province = Level.PROVINCE in levels
        self.at_commune = Level.COMMUNE in levels
        super().save(*args, **kwargs)

    @property
    def channels(self) -> list[str]:
        return [
            name
            for name, on in (
                ("online", self.channel_online),
                ("direct", self.channel_direct),
                ("postal", self.channel_postal),
            )
            if on
        ]


class VersionPart(models.Model):
    """A row that belongs to a procedure version and so is frozen once the version is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)

    def _check_version_is_draft(self) -> None:
        status = ProcedureVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status is not None and status != VersionStatus.DRAFT:
            raise ValidationError(_("Phiên bản đã công bố không được sửa."))


class ComponentRequirement(VersionPart):
    """Thành phần hồ sơ: a document the applicant must provide, possibly reusable from the wallet."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("loại giấy tờ (tái sử dụng)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="required_by",
    )
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="component_position_unique"),
            models.CheckConstraint(condition=Q(originals__gt=0) | Q(copies__gt=0), name="component_has_a_copy"),
        ]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    FEE = "fee", _("Lệ phí")
    CHARGE = "charge", _("Phí")


class FeeUnit(models.TextChoices):
    PER_DOSSIER = "dossier", _("mỗi hồ sơ")
    PER_COPY = "copy", _("mỗi bản")
    PER_PAGE = "page", _("mỗi trang")


class ApplicantCategory(models.TextChoices):
    ANYONE = "anyone", _("Mọi đối tượng")
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class FeeItem(VersionPart):
    """Phí, lệ phí: one line of a procedure's fees, with who it applies to and who is exempt."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("tên khoản thu"), max_length=500)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    unit = models.CharField(_("tính theo"), max_length=10, choices=FeeUnit.choices, default=FeeUnit.PER_DOSSIER)
    free_units = models.PositiveSmallIntegerField(
        _("số đơn vị đầu không thu"), default=0, help_text=_("Ví dụ: 2 trang đầu không thu phí.")
    )
    max_amount = models.PositiveBigIntegerField(_("mức thu tối đa (đồng)"), null=True, blank=True)
    applicant_category = models.CharField(
        _("áp dụng cho"), max_length=20, choices=ApplicantCategory.choices, default=ApplicantCategory.ANYONE
    )
    online_amount = models.PositiveBigIntegerField(
        _("mức thu khi nộp trực tuyến (đồng)"),
        null=True,
        blank=True,
        help_text=_("Mức ưu đãi khi nộp hồ sơ trực tuyến, nếu có."),
    )
    exemptions = models.JSONField(_("đối tượng miễn, giảm"), default=list, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=500, blank=True)
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="fee_position_unique"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=models.F("amount")),
                name="fee_max_not_below_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessingStep(VersionPart):
    """Bước xử lý nội bộ: an internal step, its role and its share of the legal time."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=OfficerRole.choices)
    duration = models.DecimalField(
        _("thời gian"), max_digits=7, decimal_places=2, help_text=_("Cùng đơn vị với thời hạn giải quyết.")
    )
    performer = models.CharField(_("đơn vị thực hiện"), max_length=300, blank=True)
    # Bước liên thông: a step another agency performs (e.g. the health-insurance card after a birth registration);
    # the dossier goes to it as a signed exchange package and comes back when that agency has processed it.
    partner_agency = models.CharField(
        _("cơ quan liên thông"), max_length=40, blank=True,
        help_text=_("Mã định danh của cơ quan thực hiện bước này, nếu là cơ quan khác (liên thông)."),
    )  # fmt: skip
    partner_instance = models.CharField(
        _("hệ thống của cơ quan liên thông"), max_length=40, blank=True,
        help_text=_("Mã hệ thống nơi cơ quan liên thông làm việc; để trống nếu cùng hệ thống này."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="step_position_unique"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="step_duration_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner_step(self) -> bool:
        """Performed by another agency (liên thông), not by this agency's officers."""
        return bool(self.partner_agency)
