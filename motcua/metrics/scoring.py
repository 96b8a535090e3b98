"""Chấm điểm Bộ chỉ số (QĐ 766/QĐ-TTg): a scheme and a dict of measure values → points, pure, no database.

The engine (`metrics.queries`) gives, for some agencies and a period, measure name → integer; this module turns
that into each indicator's numerator, denominator, ratio and points, each group's points, the total out of 100
and its band (xếp loại). Nothing here reads the database: a scheme is first turned into its plain-data form
(`SchemeSpec`, from a model instance whose groups and indicators are prefetched, or from a dict such as
`metrics.qd766.SCHEME`).

Rules (DOMAIN.md, *practice*, kept in the scheme's `rules` JSON so administrators choose):

- Ratio R = numerator / denominator, rounded to 2 decimals half-up (0.845 → 0.85). Points are computed from the
  rounded ratio, so the ratio on the page reproduces the points: R ≥ target T → the indicator's max, else
  R × max / T, rounded to 2 decimals half-up.
- A zero denominator makes the indicator N/A (không áp dụng), never 0. `rules["not_applicable"]` says what that
  does to the sums:
  * "rescale" (default): an N/A indicator is left out and its group's points are scaled to the group's max over
    the indicators that apply (group = Σ points × group max / Σ applicable maxima). A group whose indicators are
    all N/A — or that has no indicators yet — is N/A, and the total is scaled the same way over the applicable
    groups (total = Σ group points × 100 / Σ applicable group maxima). `applicable_max` records, on each group
    and on the total, the points that actually counted, so a page can say "62 of 100 points apply".
  * "zero": an N/A indicator scores 0 and counts with its full max; a group without indicators scores 0.
- Bands: `rules["bands"]`, a list of {"min": 90, "label": "Xuất sắc"} (optionally "label_en"); the total gets the
  band with the highest `min` it reaches. Without bands in the rules, `DEFAULT_BANDS`.

Each level is rounded to 2 decimals before the next sums it, so what the page shows adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from motcua.metrics import measures

RESCALE = "rescale"
ZERO = "zero"
NOT_APPLICABLE_POLICIES = (RESCALE, ZERO)

CENT = Decimal("0.01")

# Xếp loại shown on dashboards (practice, not a quoted rule): data of the scheme, these are only the fallback.
DEFAULT_BANDS: tuple[dict[str, Any], ...] = (
    {"min": 90, "label": "Xuất sắc", "label_en": "Excellent"},
    {"min": 80, "label": "Tốt", "label_en": "Good"},
    {"min": 70, "label": "Khá", "label_en": "Fair"},
    {"min": 50, "label": "Trung bình", "label_en": "Average"},
    {"min": 0, "label": "Yếu", "label_en": "Poor"},
)


def round2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals (Decimal's default is banker's rounding, which the index does not use)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    # Through str so a float from JSON (0.8) becomes Decimal("0.8"), not 0.8000000000000000444…
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- The scheme as plain data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """Chỉ số thành phần: numerator and denominator are measure names (measures.ALL or measures.DERIVED)."""

    code: str
    name: str
    numerator: str
    denominator: str
    target: Decimal
    max_points: Decimal
    note: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """Nhóm chỉ số and its points; `indicators` may be empty (a group the engine cannot measure yet)."""

    code: str
    name: str
    max_points: Decimal
    indicators: tuple[IndicatorSpec, ...] = ()


@dataclass(frozen=True)
class SchemeSpec:
    """Bộ chỉ số, one version, as plain data."""

    code: str
    version: int
    name: str
    groups: tuple[GroupSpec, ...]
    rules: Mapping[str, Any] = field(default_factory=dict)

    @property
    def max_points(self) -> Decimal:
        return sum((group.max_points for group in self.groups), Decimal(0))

    @property
    def policy(self) -> str:
        return not_applicable_policy(self.rules)


def spec_from_data(data: Mapping[str, Any]) -> SchemeSpec:
    """The plain-data form (as in `metrics.qd766.SCHEME`) → `SchemeSpec`; numbers may be str, int, float or Decimal."""
    groups = tuple(
        GroupSpec(
            code=group["code"],
            name=group.get("name", group["code"]),
            max_points=_dec(group["max_points"]),
            indicators=tuple(
                IndicatorSpec(
                    code=item["code"],
                    name=item.get("name", item["code"]),
                    numerator=item["numerator"],
                    denominator=item["denominator"],
                    target=_dec(item["target"]),
                    max_points=_dec(item["max_points"]),
                    note=item.get("note", ""),
                )
                for item in group.get("indicators", ())
            ),
        )
        for group in data.get("groups", ())
    )
    return SchemeSpec(
        code=data.get("code", ""),
        version=int(data.get("version", 0)),
        name=data.get("name", ""),
        groups=groups,
        rules=dict(data.get("rules") or {}),
    )


def spec_from_scheme(scheme: Any) -> SchemeSpec:
    """An `IndexScheme` instance → `SchemeSpec`. Prefetch `groups__indicators` first (schemes.scheme_in_force does):
    this only walks the related managers, in their model ordering (position)."""
    groups = tuple(
        GroupSpec(
            code=group.code,
            name=group.name,
            max_points=_dec(group.max_points),
            indicators=tuple(
                IndicatorSpec(
                    code=item.code,
                    name=item.name,
                    numerator=item.numerator,
                    denominator=item.denominator,
                    target=_dec(item.target),
                    max_points=_dec(item.max_points),
                    note=item.note,
                )
                for item in _ordered(group.indicators.all())
            ),
        )
        for group in _ordered(scheme.groups.all())
    )
    return SchemeSpec(
        code=scheme.code, version=scheme.version, name=scheme.name, groups=groups, rules=dict(scheme.rules or {})
    )


def _ordered(items: Iterable[Any]) -> list[Any]:
    # Prefetched rows keep the queryset's order; sorting again costs nothing and makes plain iterables safe too.
    return sorted(items, key=lambda item: (item.position, item.pk or 0))


def as_spec(scheme: SchemeSpec | Mapping[str, Any] | Any) -> SchemeSpec:
    """Accept a `SchemeSpec`, its plain-data dict, or an `IndexScheme` instance."""
    if isinstance(scheme, SchemeSpec):
        return scheme
    if isinstance(scheme, Mapping):
        return spec_from_data(scheme)
    return spec_from_scheme(scheme)


def not_applicable_policy(rules: Mapping[str, Any]) -> str:
    """`rules["not_applicable"]`: "rescale" (default) or "zero"."""
    policy = rules.get("not_applicable", RESCALE)
    if policy not in NOT_APPLICABLE_POLICIES:
        raise ValueError(f"rules.not_applicable must be one of {NOT_APPLICABLE_POLICIES}, not {policy!r}")
    return policy


# --- Measures -----------------------------------------------------------------------------------------------


def is_known_measure(name: str) -> bool:
    """A measure the engine counts (measures.ALL) or a sum of them (measures.DERIVED)."""
    return name in measures.ALL or name in measures.DERIVED


def measure_value(values: Mapping[str, int], name: str) -> int:
    """The value of a measure: given, or (derived) the sum of its parts. A known measure absent from `values` is 0
    (the engine may leave out what did not happen); an unknown name is an error, never a silent 0."""
    if name in values:
        return int(values[name])
    if name in measures.DERIVED:
        return sum(measure_value(values, part) for part in measures.DERIVED[name])
    if name in measures.ALL:
        return 0
    raise ValueError(f"Unknown measure {name!r}: not in metrics.measures.ALL nor DERIVED")


def ratio_of(numerator: int, denominator: int) -> Decimal | None:
    """Tỉ lệ, rounded to 2 decimals half-up; None (N/A) for a zero denominator."""
    if not denominator:
        return None
    with localcontext() as context:
        context.prec = 40  # enough digits that the half-up rounding sees the exact quotient's third decimal
        return round2(Decimal(numerator) / Decimal(denominator))


def points_for(ratio: Decimal | None, target: Decimal, max_points: Decimal) -> Decimal | None:
    """Điểm của chỉ số: max when R ≥ T, else R × max / T (2 decimals, half-up); None when the ratio is N/A."""
    if ratio is None:
        return None
    if ratio >= target:
        return round2(max_points)
    return round2(ratio * max_points / target)


# --- Results ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Xếp loại: the label of the highest band whose `min` the total reaches."""

    label: str
    min: Decimal
    label_en: str = ""


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator for the agencies and period: `numerator`/`denominator` are values, `*_measure` their names."""

    code: str
    name: str
    numerator_measure: str
    denominator_measure: str
    numerator: int
    denominator: int
    ratio: Decimal | None  # None: N/A (zero denominator)
    target: Decimal
    max_points: Decimal
    points: Decimal | None  # None: N/A under "rescale"; under "zero" an N/A indicator has 0
    note: str = ""

    @property
    def applicable(self) -> bool:
        return self.ratio is not None


@dataclass(frozen=True)
class GroupScore:
    """One group: `points` is None when the group is N/A (no indicator applies, or none exists yet)."""

    code: str
    name: str
    max_points: Decimal
    points: Decimal | None
    applicable_max: Decimal  # the indicators' max points that counted (before scaling to the group's max)
    indicators: tuple[IndicatorScore, ...]

    @property
    def applicable(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class IndexScore:
    """The index for the agencies and period: `total` out of `max_points` (100), None when nothing applies."""

    scheme_code: str
    scheme_version: int
    policy: str
    max_points: Decimal
    total: Decimal | None
    applicable_max: Decimal  # the groups' max points that counted; equals max_points unless some group is N/A
    band: Band | None
    groups: tuple[GroupScore, ...]

    @property
    def applicable(self) -> bool:
        return self.total is not None

    def group(self, code: str) -> GroupScore:
        return next(group for group in self.groups if group.code == code)

    def indicator(self, code: str) -> IndicatorScore:
        return next(item for group in self.groups for item in group.indicators if item.code == code)


def bands_of(rules: Mapping[str, Any]) -> tuple[Band, ...]:
    """The scheme's bands, highest `min` first (in whatever order the rules list them)."""
    raw = rules.get("bands") or DEFAULT_BANDS
    bands = [Band(label=item["label"], min=_dec(item["min"]), label_en=item.get("label_en", "")) for item in raw]
    return tuple(sorted(bands, key=lambda band: band.min, reverse=True))


def band_for(total: Decimal | None, rules: Mapping[str, Any]) -> Band | None:
    """Xếp loại of a total: the first band (highest first) whose `min` ≤ total; None for N/A or below every band."""
    if total is None:
        return None
    return next((band for band in bands_of(rules) if total >= band.min), None)


def score_indicator(spec: IndicatorSpec, values: Mapping[str, int], *, policy: str = RESCALE) -> IndicatorScore:
    """One indicator from the measure values."""
    numerator = measure_value(values, spec.numerator)
    denominator = measure_value(values, spec.denominator)
    ratio = ratio_of(numerator, denominator)
    points = points_for(ratio, spec.target, spec.max_points)
    if points is None and policy == ZERO:
        points = Decimal("0.00")
    return IndicatorScore(
        code=spec.code,
        name=spec.name,
        numerator_measure=spec.numerator,
        denominator_measure=spec.denominator,
        numerator=numerator,
        denominator=denominator,
        ratio=ratio,
        target=spec.target,
        max_points=spec.max_points,
        points=points,
        note=spec.note,
    )


def score_group(spec: GroupSpec, values: Mapping[str, int], *, policy: str = RESCALE) -> GroupScore:
    """One group: its indicators' points, scaled to the group's max over the indicators that count."""
    indicators = tuple(score_indicator(item, values, policy=policy) for item in spec.indicators)
    counted = [item for item in indicators if item.applicable or policy == ZERO]
    applicable_max = sum((item.max_points for item in counted), Decimal(0))
    if not indicators:
        # Nothing measured yet: N/A under "rescale", 0 of its max under "zero".
        points = Decimal("0.00") if policy == ZERO else None
    elif not applicable_max:
        points = None
    else:
        earned = sum((item.points for item in counted), Decimal(0))
        # Indicator maxima add up to the group's max in a valid scheme, so without N/A this is the plain sum.
        points = round2(earned * spec.max_points / applicable_max)
    return GroupScore(
        code=spec.code,
        name=spec.name,
        max_points=spec.max_points,
        points=points,
        applicable_max=applicable_max,
        indicators=indicators,
    )


def score(scheme: SchemeSpec | Mapping[str, Any] | Any, values: Mapping[str, int]) -> IndexScore:
    """Chấm điểm: the scheme (spec, plain data or prefetched IndexScheme) and measure → value → the index."""
    spec = as_spec(scheme)
    policy = spec.policy
    groups = tuple(score_group(group, values, policy=policy) for group in spec.groups)
    max_points = spec.max_points
    counted = [group for group in groups if group.applicable]
    applicable_max = sum((group.max_points for group in counted), Decimal(0))
    if not applicable_max:
        total = None
    else:
        earned = sum((group.points for group in counted), Decimal(0))
        total = round2(earned * max_points / applicable_max)
    return IndexScore(
        scheme_code=spec.code,
        scheme_version=spec.version,
        policy=policy,
        max_points=max_points,
        total=total,
        applicable_max=applicable_max,
        band=band_for(total, spec.rules),
        groups=groups,
    )


def measures_needed(scheme: SchemeSpec | Mapping[str, Any] | Any) -> tuple[str, ...]:
    """The base measures (measures.ALL) the engine must count to score this scheme, derived ones expanded."""
    spec = as_spec(scheme)
    needed: dict[str, None] = {}

    def add(name: str) -> None:
        if name in measures.DERIVED:
            for part in measures.DERIVED[name]:
                add(part)
        else:
            needed[name] = None

    for group in spec.groups:
        for item in group.indicators:
            add(item.numerator)
            add(item.denominator)
    return tuple(needed)
