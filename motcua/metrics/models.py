"""The service index (Bộ chỉ số phục vụ người dân, doanh nghiệp — QĐ 766/QĐ-TTg) as data, and its roll-ups.

- `IndexScheme` → `IndicatorGroup` → `Indicator`: the groups, indicators, weights (points) and targets an
  administrator edits; a published version never changes (a change is a new version).
- `DossierFact`: what the index needs of one dossier, derived from its action log and its satisfaction rating
  (never typed in), with the day deltas it contributed; `FeedbackFact`: the same for one feedback (PAKN).
- `DailyCount`: per agency, day and measure, so a period's figures cost O(agencies × days), never O(dossiers);
  `MonthlyCount`: the same deltas summed by month, so a period reads its whole months there and only its partial
  months' days from DailyCount (a year of stock history: 12 rows per agency and measure, not 365);
  `ProcedureDailyCount`: the dossiers' deltas again per procedure, for the report's rows by field and the
  savings by procedure (O(agencies × procedures × days)).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency, Procedure
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Feedback


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết áp dụng")


class IndexScheme(models.Model):
    """Bộ chỉ số, one version of it: applies to periods from `valid_from` until the next published version."""

    code = models.SlugField(_("mã bộ chỉ số"), max_length=40)
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    name = models.CharField(_("tên"), max_length=300)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    status = models.CharField(_("tình trạng"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    # Rules of counting that are choices of the scheme, not of the code: bands, and how extensions count.
    rules = models.JSONField(_("quy tắc tính"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bộ chỉ số (phiên bản)")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="index_scheme_version_unique"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="index_scheme_published_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class IndicatorGroup(models.Model):
    """Nhóm chỉ số (CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL) and its points."""

    scheme = models.ForeignKey(IndexScheme, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("mã nhóm"), max_length=10)
    name = models.CharField(_("tên nhóm"), max_length=300)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")
        ordering = ["scheme", "position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="indicator_group_unique")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Indicator(models.Model):
    """Chỉ số thành phần: numerator / denominator of two measures (metrics.measures), its target and points."""

    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã chỉ số"), max_length=20)
    name = models.CharField(_("tên chỉ số"), max_length=500)
    numerator = models.CharField(_("tử số (đại lượng)"), max_length=40)
    denominator = models.CharField(_("mẫu số (đại lượng)"), max_length=40)
    target = models.DecimalField(_("mục tiêu (tỉ lệ)"), max_digits=5, decimal_places=4)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("chỉ số thành phần")
        verbose_name_plural = _("chỉ số thành phần")
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="indicator_unique"),
            models.CheckConstraint(condition=Q(target__gt=0, target__lte=1), name="indicator_target_ratio"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Outcome(models.TextChoices):
    """How the processing of a received dossier ended, measured against its appointment."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class DossierFact(models.Model):
    """What the index counts of one dossier, derived from its action log (`metrics.facts`), and what it added."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="fact")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    channel = models.PositiveSmallIntegerField()
    full_process = models.BooleanField(default=False)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Hẹn trả theo luật (đã cộng thời gian bổ sung)."))
    ended_at = models.DateTimeField(null=True, blank=True, help_text=_("Kết thúc xử lý: có kết quả, trả, dừng."))
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    overdue_on = models.DateField(
        null=True, blank=True, help_text=_("The first day at whose end it stood open and overdue (None: never).")
    )
    withdrawn = models.BooleanField(default=False)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    pending_supplement_since = models.DateTimeField(null=True, blank=True)
    fees_paid_at = models.DateTimeField(null=True, blank=True)
    fees_paid_online = models.BooleanField(default=False)
    result_issued_at = models.DateTimeField(null=True, blank=True)
    components = models.PositiveSmallIntegerField(default=0)
    components_digitised = models.PositiveSmallIntegerField(default=0)
    components_reused = models.PositiveSmallIntegerField(default=0)
    rated_at = models.DateTimeField(null=True, blank=True, help_text=_("When the applicant first rated it."))
    rated_satisfied = models.BooleanField(default=False, help_text=_("Its rating now: very satisfied or satisfied."))
    # The (day, measure) → delta this fact added to DailyCount, so a change moves exactly what it changes.
    contributions = models.JSONField(default=dict)
    last_seq = models.PositiveIntegerField(default=0, help_text=_("The last action of the log this fact has seen."))

    class Meta:
        verbose_name = _("dữ kiện hồ sơ cho chỉ số")
        verbose_name_plural = _("dữ kiện hồ sơ cho chỉ số")

    def __str__(self) -> str:
        return str(self.dossier_id)


class DailyCount(models.Model):
    """One agency's count of one measure on one day (flow measures: what happened; stock measures: deltas)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    measure = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("số đếm theo ngày")
        verbose_name_plural = _("số đếm theo ngày")
        constraints = [models.UniqueConstraint(fields=["agency", "measure", "day"], name="daily_count_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.measure}: {self.value}"


class MonthlyCount(models.Model):
    """One agency's count of one measure in one month (`month`: its first day) — DailyCount's rows of the month."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    measure = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("số đếm theo tháng")
        verbose_name_plural = _("số đếm theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["agency", "measure", "month"], name="monthly_count_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_count_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m} {self.measure}: {self.value}"


class FeedbackFact(models.Model):
    """What the index counts of one feedback (phản ánh, kiến nghị) — group MDHL — and the day deltas it added."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, primary_key=True, related_name="fact")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    contributions = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("dữ kiện phản ánh, kiến nghị cho chỉ số")
        verbose_name_plural = _("dữ kiện phản ánh, kiến nghị cho chỉ số")

    def __str__(self) -> str:
        return str(self.feedback_id)


class ProcedureDailyCount(models.Model):
    """One agency's count of one measure on one day for one procedure: DailyCount's dossier deltas, by procedure."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    measure = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("số đếm theo ngày và thủ tục")
        verbose_name_plural = _("số đếm theo ngày và thủ tục")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure", "measure", "day"], name="procedure_daily_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.procedure_id} {self.day} {self.measure}: {self.value}"
