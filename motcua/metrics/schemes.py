"""Bộ chỉ số as administrators keep it: which version is in force, its validation, and every write to it.

A version (IndexScheme) is a draft (dự thảo) until it is published (công bố); from then on it never changes, so
scores of past periods stay what they were. A change is a new version (`new_version_from`): a draft copy of
groups and indicators, edited, validated and published with its own `valid_from`. The version in force on a day is
the published one with the latest `valid_from` on or before it; earlier versions stay published for the periods
before. Every write is one transaction and locks the scheme rows it depends on.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound, ServiceError
from motcua.metrics import scoring
from motcua.metrics.models import IndexScheme, Indicator, IndicatorGroup, SchemeStatus

TOTAL_POINTS = Decimal(100)


class SchemeInvalid(ServiceError):
    """The scheme does not add up or names what the engine does not count: `errors` says where, `problems` lists."""

    status = 422
    code = "invalid"

    def __init__(self, errors: Mapping[str, str]):
        self.problems = list(errors.values())
        super().__init__(_("Bộ chỉ số chưa hợp lệ: %(problems)s") % {"problems": "; ".join(self.problems)},
                         errors=dict(errors))  # fmt: skip


class SchemeNotAllowed(ServiceError):
    """Not possible for this version in its present state (a published version is frozen)."""

    status = 409
    code = "not_allowed"


# --- Reading ------------------------------------------------------------------------------------------------


def with_parts(queryset: QuerySet[IndexScheme] | None = None) -> QuerySet[IndexScheme]:
    """Schemes with groups and indicators prefetched (ordered by position), ready for `scoring.score`."""
    return (queryset if queryset is not None else IndexScheme.objects.all()).prefetch_related("groups__indicators")


def scheme_in_force(on: dt.date, *, code: str | None = None) -> IndexScheme | None:
    """Bộ chỉ số đang áp dụng on a day: the published version with the latest `valid_from` ≤ `on` (of `code`, or of
    any code), its parts prefetched; None when no published version applies yet."""
    schemes = IndexScheme.objects.filter(status=SchemeStatus.PUBLISHED, valid_from__lte=on)
    if code is not None:
        schemes = schemes.filter(code=code)
    # Same day: the later version wins (publishing normally retires the earlier one; this keeps reads safe anyway).
    return with_parts(schemes.order_by("-valid_from", "-version", "-published_at")).first()


# --- Validation (pure, over the plain-data form) --------------------------------------------------------------


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def rule_problems(rules: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    policy = rules.get("not_applicable", scoring.RESCALE)
    if policy not in scoring.NOT_APPLICABLE_POLICIES:
        errors["rules.not_applicable"] = _(
            "Quy tắc “not_applicable” phải là “rescale” (bỏ chỉ số không áp dụng và quy đổi điểm) hoặc “zero” "
            "(tính 0 điểm), không phải “%(value)s”."
        ) % {"value": policy}
    bands = rules.get("bands")
    if bands is None:
        return errors
    mins: list[Decimal] = []
    if not isinstance(bands, list) or not bands:
        errors["rules.bands"] = _("Quy tắc “bands” phải là danh sách các mức xếp loại, mỗi mức có “min” và “label”.")
        return errors
    for band in bands:
        try:
            minimum = Decimal(str(band["min"]))
            label = str(band["label"]).strip()
        except (KeyError, TypeError, InvalidOperation):
            errors["rules.bands"] = _("Mỗi mức xếp loại trong “bands” cần “min” (một số) và “label” (tên mức).")
            return errors
        if not label or not minimum.is_finite():
            errors["rules.bands"] = _("Mỗi mức xếp loại trong “bands” cần “min” (một số) và “label” (tên mức).")
            return errors
        mins.append(minimum)
    if len(set(mins)) != len(mins):
        errors["rules.bands"] = _("Hai mức xếp loại trong “bands” có cùng ngưỡng “min”.")
    elif min(mins) > 0:
        errors["rules.bands"] = _("Mức xếp loại thấp nhất phải có ngưỡng 0 để tổng điểm nào cũng được xếp loại.")
    return errors


def _indicator_problems(group_code: str, item: scoring.IndicatorSpec) -> dict[str, str]:
    errors: dict[str, str] = {}
    where = f"{group_code}.{item.code}"
    for side, measure, message in (
        ("numerator", item.numerator, _("Chỉ số %(indicator)s: tử số “%(measure)s” không phải đại lượng hệ thống đo.")),
        ("denominator", item.denominator,
         _("Chỉ số %(indicator)s: mẫu số “%(measure)s” không phải đại lượng hệ thống đo.")),
    ):  # fmt: skip
        if not scoring.is_known_measure(measure):
            errors[f"{where}.{side}"] = message % {"indicator": item.code, "measure": measure}
    if not (0 < item.target <= 1):
        errors[f"{where}.target"] = _("Chỉ số %(indicator)s: mục tiêu là một tỉ lệ lớn hơn 0 và không quá 1.") % {
            "indicator": item.code
        }
    if item.max_points <= 0:
        errors[f"{where}.max_points"] = _("Chỉ số %(indicator)s: điểm tối đa phải lớn hơn 0.") % {
            "indicator": item.code
        }
    return errors


def problems(scheme: scoring.SchemeSpec | Mapping[str, Any] | IndexScheme) -> dict[str, str]:
    """What is wrong with a scheme, field → message in Vietnamese; empty when it can be published.

    Checked: every indicator divides known measures (measures.ALL or DERIVED), with a target in (0, 1] and points
    above 0; a group's indicators add up to the group's max (a group with no indicators yet is allowed: it is N/A
    in scoring); the groups add up to 100; indicator codes are unique; the rules are well formed.
    """
    spec = scoring.as_spec(scheme)
    errors = rule_problems(spec.rules)
    seen: set[str] = set()
    for group in spec.groups:
        if group.max_points <= 0:
            errors[f"{group.code}.max_points"] = _("Nhóm %(group)s: điểm tối đa phải lớn hơn 0.") % {
                "group": group.code
            }
        for item in group.indicators:
            if item.code in seen:
                errors[f"{group.code}.{item.code}.code"] = _("Mã chỉ số %(indicator)s dùng hai lần.") % {
                    "indicator": item.code
                }
            seen.add(item.code)
            errors.update(_indicator_problems(group.code, item))
        if group.indicators:
            points = sum((item.max_points for item in group.indicators), Decimal(0))
            if points != group.max_points:
                errors[f"{group.code}.indicators"] = _(
                    "Nhóm %(group)s: điểm các chỉ số cộng lại là %(sum)s, khác điểm tối đa của nhóm (%(max)s)."
                ) % {"group": group.code, "sum": _num(points), "max": _num(group.max_points)}
    total = spec.max_points
    if total != TOTAL_POINTS:
        errors["groups"] = _("Điểm tối đa các nhóm cộng lại là %(sum)s, phải đúng 100.") % {"sum": _num(total)}
    return errors


def validate_scheme(scheme: scoring.SchemeSpec | Mapping[str, Any] | IndexScheme) -> None:
    """Raise SchemeInvalid listing every problem (nothing when the scheme can be published)."""
    errors = problems(scheme)
    if errors:
        raise SchemeInvalid(errors)


# --- Writing --------------------------------------------------------------------------------------------------


def _locked_draft(scheme: IndexScheme) -> IndexScheme:
    locked = IndexScheme.objects.select_for_update().get(pk=scheme.pk)
    if locked.status != SchemeStatus.DRAFT:
        raise SchemeNotAllowed(
            _("%(scheme)s đã công bố nên không sửa được; hãy tạo phiên bản mới.") % {"scheme": str(locked)}
        )
    return locked


def publish_scheme(*, scheme: IndexScheme, now: dt.datetime) -> IndexScheme:
    """Công bố a draft: validated, then frozen. It applies from its `valid_from` until a later version's.

    Versions of the same code published before stay for the periods before it; one with the very same `valid_from`
    would never apply again and is retired (hết áp dụng). A date earlier than the latest published version's is
    refused: periods already scored under that version would change scheme behind its back.
    """
    with transaction.atomic():
        # Lock every version of the code: two publications at once must not both pass the date check.
        list(IndexScheme.objects.select_for_update().filter(code=scheme.code).order_by("pk").values_list("pk"))
        draft = _locked_draft(scheme)
        validate_scheme(with_parts(IndexScheme.objects.filter(pk=draft.pk)).get())
        published = IndexScheme.objects.filter(code=draft.code, status=SchemeStatus.PUBLISHED)
        latest = published.order_by("-valid_from", "-version").first()
        if latest is not None and draft.valid_from < latest.valid_from:
            raise SchemeNotAllowed(
                _(
                    "Phiên bản %(version)s phải áp dụng từ ngày %(date)s trở đi, là ngày áp dụng của phiên bản "
                    "%(latest)s đang công bố."
                )
                % {"version": draft.version, "date": latest.valid_from.strftime("%d/%m/%Y"), "latest": latest.version}
            )
        published.filter(valid_from=draft.valid_from).update(status=SchemeStatus.RETIRED)
        draft.status, draft.published_at = SchemeStatus.PUBLISHED, now
        draft.save(update_fields=["status", "published_at"])
        return draft


def new_version_from(*, scheme: IndexScheme) -> IndexScheme:
    """Tạo phiên bản mới: a draft copy of a version (any state) with the next version number of its code."""
    with transaction.atomic():
        list(IndexScheme.objects.select_for_update().filter(code=scheme.code).order_by("pk").values_list("pk"))
        source = with_parts(IndexScheme.objects.filter(pk=scheme.pk)).get()
        number = IndexScheme.objects.filter(code=source.code).aggregate(top=Max("version"))["top"] + 1
        draft = IndexScheme.objects.create(
            code=source.code,
            version=number,
            name=source.name,
            legal_basis=source.legal_basis,
            valid_from=source.valid_from,  # the administrator sets the new date before publishing
            status=SchemeStatus.DRAFT,
            rules=copy.deepcopy(source.rules),
        )
        for group in source.groups.all():
            copied = IndicatorGroup.objects.create(
                scheme=draft, code=group.code, name=group.name, max_points=group.max_points, position=group.position
            )
            Indicator.objects.bulk_create(
                Indicator(
                    group=copied,
                    code=item.code,
                    name=item.name,
                    numerator=item.numerator,
                    denominator=item.denominator,
                    target=item.target,
                    max_points=item.max_points,
                    position=item.position,
                    note=item.note,
                )
                for item in group.indicators.all()
            )
        return draft


def update_draft(
    *,
    scheme: IndexScheme,
    name: str | None = None,
    legal_basis: str | None = None,
    valid_from: dt.date | None = None,
    rules: Mapping[str, Any] | None = None,
) -> IndexScheme:
    """Change a draft's own fields (what is not given stays); a published version is refused."""
    with transaction.atomic():
        draft = _locked_draft(scheme)
        if rules is not None:
            errors = rule_problems(rules)
            if errors:
                raise SchemeInvalid(errors)
            draft.rules = dict(rules)
        if name is not None:
            draft.name = name
        if legal_basis is not None:
            draft.legal_basis = legal_basis
        if valid_from is not None:
            draft.valid_from = valid_from
        draft.save(update_fields=["name", "legal_basis", "valid_from", "rules"])
        return draft


def put_group(
    *, scheme: IndexScheme, code: str, name: str, max_points: Decimal | int | str, position: int | None = None
) -> IndicatorGroup:
    """Add or change a group of a draft (by code)."""
    with transaction.atomic():
        draft = _locked_draft(scheme)
        points = Decimal(str(max_points))
        if points <= 0:
            raise SchemeInvalid(
                {f"{code}.max_points": _("Nhóm %(group)s: điểm tối đa phải lớn hơn 0.") % {"group": code}}
            )
        if position is None:
            position = draft.groups.exclude(code=code).count() + 1
        group, _created = IndicatorGroup.objects.update_or_create(
            scheme=draft, code=code, defaults={"name": name, "max_points": points, "position": position}
        )
        return group


def put_indicator(
    *,
    scheme: IndexScheme,
    group_code: str,
    code: str,
    name: str,
    numerator: str,
    denominator: str,
    target: Decimal | str,
    max_points: Decimal | int | str,
    note: str = "",
    position: int | None = None,
) -> Indicator:
    """Add or change an indicator of a draft's group (by codes); its measures and target are checked at once, the
    sums only when publishing (a draft may be half-edited)."""
    with transaction.atomic():
        draft = _locked_draft(scheme)
        group = IndicatorGroup.objects.filter(scheme=draft, code=group_code).first()
        if group is None:
            raise NotFound(_("Bộ chỉ số này không có nhóm %(group)s.") % {"group": group_code})
        spec = scoring.IndicatorSpec(
            code=code, name=name, numerator=numerator, denominator=denominator,
            target=Decimal(str(target)), max_points=Decimal(str(max_points)), note=note,
        )  # fmt: skip
        errors = _indicator_problems(group_code, spec)
        if errors:
            raise SchemeInvalid(errors)
        if position is None:
            position = group.indicators.exclude(code=code).count() + 1
        indicator, _created = Indicator.objects.update_or_create(
            group=group,
            code=code,
            defaults={
                "name": name, "numerator": numerator, "denominator": denominator, "target": spec.target,
                "max_points": spec.max_points, "note": note, "position": position,
            },
        )  # fmt: skip
        return indicator


def remove_group(*, scheme: IndexScheme, code: str) -> None:
    """Remove a group (and its indicators) from a draft."""
    with transaction.atomic():
        IndicatorGroup.objects.filter(scheme=_locked_draft(scheme), code=code).delete()


def remove_indicator(*, scheme: IndexScheme, group_code: str, code: str) -> None:
    """Remove an indicator from a draft."""
    with transaction.atomic():
        Indicator.objects.filter(group__scheme=_locked_draft(scheme), group__code=group_code, code=code).delete()
