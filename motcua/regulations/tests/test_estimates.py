"""A procedure's compliance cost on paper and online, hand-computed from the default unit costs and profiles.

Unit costs from 1/1/2026: an hour 25,500 đ, a trip 20,000 đ, a page 500 đ, a certified copy 5,000 đ, a postal
item 25,000 đ (from 1/7/2024 an hour was 23,800 đ). Default full-process profile: paper 2 h + 3 h, 2 trips,
6 pages, 2 certified copies; online 1.5 h, 2 certified copies; a reused component spares 1 h and 1 certified copy.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import publish_draft, save_draft
from motcua.catalog.tests.factories import procedure_doc, publish_procedure
from motcua.regulations import queries
from motcua.regulations.models import ComplianceCostProfile, CostParameters

DEC_2026 = dt.date(2026, 12, 1)

BIRTH_FEES = [
    {"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": 8000, "online_amount": 4000},
    {"kind": "charge", "name": "Phí cấp bản sao trích lục", "amount": 8000, "unit": "copy"},
    {"kind": "charge", "name": "Phí sao chụp hồ sơ lưu", "amount": 1000, "unit": "page", "free_units": 2},
    {"kind": "fee", "name": "Lệ phí cho doanh nghiệp", "amount": 50000, "applicant_category": "organisation"},
]


@pytest.fixture
def birth(db):
    return publish_procedure(fees=BIRTH_FEES).procedure


@pytest.fixture
def land(db):
    return publish_procedure(
        code="1.003003", name="Cấp lại Giấy chứng nhận quyền sử dụng đất", field="dat-dai", field_name="Đất đai",
        levels=["province"], competent_agency_kind="provincial_department", service_level="partial",
        result_document_type=None, components=[{"name": "Đơn đề nghị cấp lại", "originals": 1}],
    ).procedure  # fmt: skip


@pytest.fixture
def passport(db):
    procedure = publish_procedure(code="2.001234", name="Cấp hộ chiếu phổ thông").procedure
    ComplianceCostProfile.objects.create(
        procedure=procedure, paper_hours_prepare=D("1"), paper_hours_travel=D("2.5"), paper_trips=1,
        paper_pages_copied=2, paper_fees=30000, paper_other_costs=10000, online_hours_prepare=D("0.5"),
        online_postal_items=1, online_fees=15000, reused_component_hours=D("0.5"),
        source="Khảo sát tại bộ phận một cửa",
    )  # fmt: skip
    return procedure


def test_a_procedure_without_its_own_profile_takes_the_default_and_its_own_fees(birth):
    cost = queries.estimate(birth, DEC_2026)
    assert not cost.own_profile and cost.fees_from_catalog and cost.parameters.hour_value == 25500
    # Fees: 8,000 (online 4,000) + one copy 8,000; the first two pages free; the organisations' fee not counted.
    assert (cost.paper.fees_vnd, cost.online.fees_vnd) == (16000, 12000)
    paper, online, saved = cost.paper, cost.online, cost.saved
    assert (paper.hours, paper.trips, paper.pages_copied, paper.certified_copies) == (D("5"), 2, 6, 2)
    assert (paper.time_vnd, paper.travel_vnd, paper.copies_vnd, paper.vnd) == (127500, 40000, 13000, 196500)
    assert (online.hours, online.trips, online.copies_vnd, online.vnd) == (D("1.5"), 0, 10000, 60250)
    assert (saved.hours, saved.trips, saved.pages_copied, saved.certified_copies) == (D("3.5"), 2, 6, 0)
    assert (saved.fees_vnd, saved.vnd) == (4000, 136250)
    component = cost.per_component_reused
    assert (component.hours, component.certified_copies, component.vnd) == (D("1"), 1, 30500)


def test_a_partial_service_still_takes_a_trip_online(land):
    cost = queries.estimate(land, DEC_2026)
    assert cost.profile.service_level == "partial"
    assert (cost.online.trips, cost.online.hours, cost.online.vnd) == (1, D("3"), 106500)  # 76,500 + 20,000 + 10,000
    assert (cost.paper.vnd, cost.saved.vnd, cost.saved.trips) == (180500, 74000, 1)  # the birth fee is 0 here


def test_a_procedure_with_its_own_profile(passport):
    cost = queries.estimate(passport, DEC_2026)
    assert cost.own_profile and not cost.fees_from_catalog
    # Paper: 3.5 h = 89,250 + a trip 20,000 + 2 pages 1,000 + fees 30,000 + photos 10,000.
    assert (cost.paper.vnd, cost.paper.other_vnd, cost.paper.fees_vnd) == (150250, 10000, 30000)
    # Online: 0.5 h = 12,750 + the result by post 25,000 + fees 15,000.
    assert (cost.online.vnd, cost.online.postage_vnd) == (52750, 25000)
    assert cost.saved.vnd == 97500 and cost.saved.postal_items == -1  # online costs a postal item more
    assert (cost.per_component_reused.vnd, cost.per_component_reused.certified_copies) == (12750, 0)


def test_unit_costs_are_versioned_by_day(birth):
    assert queries.estimate(birth, dt.date(2025, 12, 31)).parameters.hour_value == 23800
    old = queries.estimate(birth, dt.date(2025, 12, 31))
    assert (old.paper.vnd, old.online.vnd, old.saved.vnd) == (188000, 57700, 130300)  # 5 h and 1.5 h at 23,800 đ
    assert queries.estimate(birth, dt.date(2026, 1, 1)).parameters.hour_value == 25500
    assert queries.estimate(birth, dt.date(2024, 6, 30)) is None  # before the first unit costs: no estimate
    CostParameters.objects.create(
        valid_from=dt.date(2027, 1, 1), hour_value=30000, trip_cost=20000, page_copy_cost=500,
        certified_copy_cost=5000, postage_cost=25000, source="Thử",
    )  # fmt: skip
    assert queries.estimate(birth, dt.date(2026, 12, 31)).paper.time_vnd == 127500
    assert queries.estimate(birth, dt.date(2027, 1, 1)).paper.time_vnd == 150000


def test_fees_are_those_of_the_version_in_force_on_the_day(birth):
    ProcedureVersion.objects.filter(procedure=birth).update(published_at=dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC))
    save_draft(doc=procedure_doc(fees=[{"kind": "fee", "name": "Lệ phí mới", "amount": 10000}]))
    second = publish_draft(procedure_code=birth.code)
    ProcedureVersion.objects.filter(pk=second.pk).update(published_at=dt.datetime(2026, 9, 1, 3, tzinfo=dt.UTC))
    june = queries.estimate(birth, dt.date(2026, 6, 1))
    october = queries.estimate(birth, dt.date(2026, 10, 1))
    assert (june.paper.fees_vnd, june.online.fees_vnd) == (16000, 12000)
    assert (october.paper.fees_vnd, october.online.fees_vnd) == (10000, 10000)


def test_estimates_for_many_procedures_cost_the_same_few_queries(birth, land, passport, django_assert_num_queries):
    with django_assert_num_queries(4):  # unit costs, profiles, versions in force, their fees
        one = queries.estimates_for([birth.pk], DEC_2026)
    with django_assert_num_queries(4):
        three = queries.estimates_for([birth.pk, land.pk, passport.pk], DEC_2026)
    assert one[birth.pk] == three[birth.pk] and set(three) == {birth.pk, land.pk, passport.pk}


def test_the_database_refuses_a_profile_that_is_both_or_neither(birth):
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplianceCostProfile.objects.create(procedure=birth, service_level="full")
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplianceCostProfile.objects.create(procedure=None, service_level="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplianceCostProfile.objects.create(procedure=None, service_level="full")  # a second default
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplianceCostProfile.objects.create(procedure=birth, paper_hours_travel=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CostParameters.objects.create(
            valid_from=dt.date(2027, 1, 1), hour_value=0, trip_cost=0, page_copy_cost=0, certified_copy_cost=0,
            postage_cost=0, source="",
        )  # fmt: skip


def test_the_data_migration_is_reversible_and_loads_once(db):
    migration = importlib.import_module("motcua.regulations.migrations.0002_default_cost_parameters_and_profiles")
    migration.unload(django_apps, None)
    assert not CostParameters.objects.exists() and not ComplianceCostProfile.objects.exists()
    migration.load(django_apps, None)
    migration.load(django_apps, None)  # twice: nothing doubles
    assert list(CostParameters.objects.values_list("valid_from", "hour_value")) == [
        (dt.date(2026, 1, 1), 25500), (dt.date(2024, 7, 1), 23800),
    ]  # fmt: skip
    assert sorted(ComplianceCostProfile.objects.values_list("service_level", flat=True)) == ["full", "partial"]
    assert "Ước tính" in CostParameters.objects.first().source
