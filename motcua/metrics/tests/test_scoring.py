"""Chấm điểm without a database: every expectation below is computed by hand in the comment beside it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from motcua.metrics import measures, qd766, scoring

# The QĐ 766 v1 scheme with every measure present (hand computation of each indicator beside it).
FULL = {
    "resolved_early": 30,  # resolved = 30 + 45 + 25 = 100; in time = 75 → 0.75 < 0.80 → 0.75 × 20 / 0.80 = 18.75
    "resolved_on_time": 45,
    "resolved_late": 25,
    "received_online": 60,  # received = 100; full online 40 → 0.40 < 0.50 → 0.40 × 12 / 0.50 = 9.60
    "received_direct": 40,
    "received_full_online": 40,
    "fees_paid": 50,  # 45 / 50 = 0.90 ≥ 0.80 → 10
    "fees_paid_online": 45,
    "results_issued": 60,  # 60 / 100 = 0.60 → 0.60 × 11 / 0.80 = 8.25
    "components": 200,  # digitised 170 / 200 = 0.85 ≥ 0.80 → 7.33
    "components_digitised": 170,
    "components_reused": 50,  # 50 / 200 = 0.25 → 0.25 × 3.67 / 0.80 = 1.146875 → 1.15
}


def small_scheme(**rules) -> dict:
    """Two groups of 60 and 40 points, enough to follow every sum by hand."""
    return {
        "code": "thu",
        "version": 1,
        "rules": rules,
        "groups": [
            {
                "code": "A",
                "max_points": 60,
                "indicators": [
                    {"code": "A1", "numerator": "resolved_in_time", "denominator": "resolved", "target": "0.80",
                     "max_points": 40},
                    {"code": "A2", "numerator": "fees_paid_online", "denominator": "fees_paid", "target": "0.80",
                     "max_points": 20},
                ],
            },
            {
                "code": "B",
                "max_points": 40,
                "indicators": [
                    {"code": "B1", "numerator": "received_full_online", "denominator": "received", "target": "0.50",
                     "max_points": 40},
                ],
            },
        ],
    }  # fmt: skip


# --- Ratios and points -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (845, 1000, D("0.85")),  # half-up, not banker's
        (125, 1000, D("0.13")),  # banker's rounding would give 0.12
        (1, 3, D("0.33")),
        (2, 3, D("0.67")),
        (0, 7, D("0.00")),
        (7, 7, D("1.00")),
        (9, 7, D("1.29")),  # a ratio above 1 is shown as it is (and scores full)
    ],
)
def test_ratio_is_rounded_to_two_decimals_half_up(numerator, denominator, expected):
    assert scoring.ratio_of(numerator, denominator) == expected


def test_a_zero_denominator_is_not_applicable_not_zero():
    assert scoring.ratio_of(0, 0) is None
    assert scoring.ratio_of(5, 0) is None
    assert scoring.points_for(None, D("0.80"), D(20)) is None


def test_points_below_the_target_are_proportional():
    assert scoring.points_for(D("0.75"), D("0.80"), D(20)) == D("18.75")
    assert scoring.points_for(D("0.40"), D("0.50"), D(12)) == D("9.60")
    assert scoring.points_for(D("0.00"), D("0.80"), D(20)) == D("0.00")
    # 0.33 × 10 / 0.80 = 4.125 → 4.13 (half-up)
    assert scoring.points_for(D("0.33"), D("0.80"), D(10)) == D("4.13")


def test_points_at_or_above_the_target_are_the_maximum():
    assert scoring.points_for(D("0.80"), D("0.80"), D(20)) == D("20.00")
    assert scoring.points_for(D("0.95"), D("0.80"), D(20)) == D("20.00")
    assert scoring.points_for(D("1.29"), D("0.80"), D("7.33")) == D("7.33")


def test_points_use_the_rounded_ratio():
    # 79 / 99 = 0.797979… → 0.80 = target → full, so the ratio the page shows explains the points.
    item = scoring.IndicatorSpec("X", "x", "resolved_in_time", "resolved", D("0.80"), D(20))
    result = scoring.score_indicator(item, {"resolved_on_time": 79, "resolved_late": 20})
    assert (result.numerator, result.denominator, result.ratio, result.points) == (79, 99, D("0.80"), D("20.00"))


# --- Measures --------------------------------------------------------------------------------------------------


def test_derived_measures_are_sums_and_absent_measures_are_zero():
    values = {"resolved_early": 3, "resolved_on_time": 4, "resolved_late": 5, "received_online": 6}
    assert scoring.measure_value(values, "resolved") == 12
    assert scoring.measure_value(values, "resolved_in_time") == 7
    assert scoring.measure_value(values, "received") == 6  # received_direct not given: 0
    assert scoring.measure_value(values, "open") == 0
    # A value the engine gives for a derived name wins over the sum of its parts.
    assert scoring.measure_value({**values, "resolved": 99}, "resolved") == 99


def test_an_unknown_measure_is_an_error_not_zero():
    with pytest.raises(ValueError, match="resolved_ontime"):
        scoring.measure_value({}, "resolved_ontime")


def test_every_derived_measure_is_made_of_counted_measures():
    assert all(part in measures.ALL for parts in measures.DERIVED.values() for part in parts)
    assert all(scoring.is_known_measure(name) for name in [*measures.ALL, *measures.DERIVED])
    assert not scoring.is_known_measure("satisfaction")


def test_measures_needed_expands_derived_ones():
    needed = scoring.measures_needed(qd766.SCHEME)
    assert set(needed) == {
        "resolved_early", "resolved_on_time", "resolved_late", "received_online", "received_direct",
        "received_full_online", "fees_paid", "fees_paid_online", "results_issued", "components",
        "components_digitised", "components_reused", "open", "open_in_time",
    }  # fmt: skip
    assert len(needed) == len(set(needed))


# --- The whole index -------------------------------------------------------------------------------------------


def test_qd766_with_every_measure():
    result = scoring.score(qd766.SCHEME, FULL)
    assert result.scheme_code == "qd-766" and result.scheme_version == 1 and result.policy == "rescale"
    assert [(g.code, g.points) for g in result.groups] == [
        ("CKMB", None),  # no indicators yet: N/A
        ("TDGQ", D("18.75")),
        ("CLGQ", D("9.60")),
        ("TTTT", D("10.00")),
        ("MDSH", D("16.73")),  # 8.25 + 7.33 + 1.15
        ("MDHL", None),
    ]
    assert result.indicator("MDSH.3").points == D("1.15")
    assert result.indicator("TTTT.1").ratio == D("0.90")
    # Applicable: 20 + 12 + 10 + 22 = 64 of 100; earned 18.75 + 9.60 + 10 + 16.73 = 55.08 → 55.08 × 100 / 64 = 86.06
    assert result.max_points == D(100)
    assert result.applicable_max == D(64)
    assert result.total == D("86.06")
    assert result.band.label == "Tốt"
    assert result.group("CKMB").applicable_max == D(0) and not result.group("CKMB").applicable


def test_an_indicator_without_denominator_is_left_out_and_its_group_rescaled():
    values = {**FULL, "components": 0, "components_digitised": 0, "components_reused": 0}
    result = scoring.score(qd766.SCHEME, values)
    mdsh = result.group("MDSH")
    assert [(i.code, i.ratio, i.points) for i in mdsh.indicators] == [
        ("MDSH.1", D("0.60"), D("8.25")),
        ("MDSH.2", None, None),
        ("MDSH.3", None, None),
    ]
    # 8.25 of the 11 applicable points → 8.25 × 22 / 11 = 16.50 of the group's 22.
    assert mdsh.applicable_max == D(11)
    assert mdsh.points == D("16.50")
    # 18.75 + 9.60 + 10 + 16.50 = 54.85 of 64 → 85.703125 → 85.70
    assert result.total == D("85.70")


def test_a_group_whose_indicators_are_all_not_applicable_is_not_applicable():
    values = {**FULL, "fees_paid": 0, "fees_paid_online": 0}
    result = scoring.score(qd766.SCHEME, values)
    assert result.group("TTTT").points is None
    # 20 + 12 + 22 = 54 apply; 18.75 + 9.60 + 16.73 = 45.08 → 45.08 × 100 / 54 = 83.4814… → 83.48
    assert result.applicable_max == D(54)
    assert result.total == D("83.48")


def test_nothing_applicable_gives_no_total_and_no_band():
    result = scoring.score(qd766.SCHEME, {})
    assert result.total is None and result.band is None and not result.applicable
    assert all(group.points is None for group in result.groups)


def test_policy_zero_counts_not_applicable_as_zero():
    scheme = {**qd766.SCHEME, "rules": {**qd766.SCHEME["rules"], "not_applicable": "zero"}}
    values = {**FULL, "components": 0, "components_digitised": 0, "components_reused": 0}
    result = scoring.score(scheme, values)
    assert result.policy == "zero"
    assert result.indicator("MDSH.2").ratio is None  # still shown as N/A …
    assert result.indicator("MDSH.2").points == D("0.00")  # … but scores 0
    assert result.group("MDSH").points == D("8.25")
    assert result.group("CKMB").points == D("0.00")
    # 18.75 + 9.60 + 10 + 8.25 + 0 + 0 = 46.60 of 100
    assert result.applicable_max == D(100)
    assert result.total == D("46.60")
    assert result.band.label == "Yếu"


def test_small_scheme_by_hand():
    values = {"resolved_on_time": 30, "resolved_late": 10, "fees_paid": 0, "received_online": 50,
              "received_full_online": 30}  # fmt: skip
    result = scoring.score(small_scheme(), values)
    # A1: 0.75 → 0.75 × 40 / 0.80 = 37.50; A2 N/A → A = 37.50 × 60 / 40 = 56.25
    assert result.group("A").points == D("56.25")
    # B1: 30 / 50 = 0.60 ≥ 0.50 → 40
    assert result.group("B").points == D("40.00")
    assert result.total == D("96.25")
    assert result.band.label == "Xuất sắc"  # the default bands: the small scheme's rules name none
    zero = scoring.score(small_scheme(not_applicable="zero"), values)
    assert zero.group("A").points == D("37.50") and zero.total == D("77.50") and zero.band.label == "Khá"


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="not_applicable"):
        scoring.score(small_scheme(not_applicable="ignore"), {})


def test_plain_data_numbers_may_be_floats_strings_or_decimals():
    spec = scoring.spec_from_data(small_scheme())
    assert spec.groups[0].indicators[0].target == D("0.80")
    floats = small_scheme()
    floats["groups"][0]["indicators"][0]["target"] = 0.8
    assert scoring.spec_from_data(floats).groups[0].indicators[0].target == D("0.8")
    assert scoring.as_spec(spec) is spec
    assert spec.max_points == D(100)


# --- Bands -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "label"),
    [
        ("100", "Xuất sắc"),
        ("90", "Xuất sắc"),
        ("89.99", "Tốt"),
        ("80", "Tốt"),
        ("79.99", "Khá"),
        ("70", "Khá"),
        ("69.99", "Trung bình"),
        ("50", "Trung bình"),
        ("49.99", "Yếu"),
        ("0", "Yếu"),
    ],
)
def test_bands_at_their_boundaries(total, label):
    assert scoring.band_for(D(total), qd766.SCHEME["rules"]).label == label


def test_bands_come_from_the_rules_in_any_order():
    rules = {"bands": [{"min": 0, "label": "Chưa đạt"}, {"min": 75, "label": "Đạt", "label_en": "Met"}]}
    assert scoring.band_for(D("75"), rules) == scoring.Band(label="Đạt", min=D(75), label_en="Met")
    assert scoring.band_for(D("74.99"), rules).label == "Chưa đạt"
    assert scoring.band_for(None, rules) is None
    # Below every band (the rules have no 0 band): no band rather than a wrong one.
    assert scoring.band_for(D("10"), {"bands": [{"min": 50, "label": "Đạt"}]}) is None
    assert scoring.band_for(D("95"), {}).label == "Xuất sắc"  # DEFAULT_BANDS
