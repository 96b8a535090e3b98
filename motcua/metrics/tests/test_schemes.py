"""Bộ chỉ số as stored: the QĐ 766 starting scheme, validation, publication, versions and the admin."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from motcua.core.errors import NotFound
from motcua.metrics import qd766, schemes, scoring
from motcua.metrics.models import IndexScheme, Indicator, IndicatorGroup, SchemeStatus
from motcua.metrics.schemes import SchemeInvalid, SchemeNotAllowed
from motcua.metrics.tests.test_scoring import FULL

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def in_force():
    """QĐ 766 version 3, which retired versions 1 and 2 (all apply from 1 January 2025)."""
    qd766.ensure()  # a transactional test before this one emptied the tables migrations filled
    return IndexScheme.objects.get(code="qd-766", version=3)


def draft_from(scheme: IndexScheme, *, valid_from: dt.date) -> IndexScheme:
    draft = schemes.new_version_from(scheme=scheme)
    return schemes.update_draft(scheme=draft, valid_from=valid_from)


# --- The starting scheme ---------------------------------------------------------------------------------------


def test_the_migration_loads_in_force_published(in_force):
    assert in_force.status == SchemeStatus.PUBLISHED and in_force.published_at is not None
    assert in_force.valid_from == dt.date(2025, 1, 1)
    assert in_force.rules["not_applicable"] == "rescale" and in_force.rules["notes"]
    groups = list(in_force.groups.order_by("position").values_list("code", "max_points"))
    assert groups == [("CKMB", D(18)), ("TDGQ", D(20)), ("CLGQ", D(12)), ("TTTT", D(10)), ("MDSH", D(22)),
                      ("MDHL", D(18))]  # fmt: skip
    indicators = Indicator.objects.filter(group__scheme=in_force).order_by("group__position", "position")
    assert [(i.code, i.numerator, i.denominator, i.target, i.max_points) for i in indicators] == [
        ("CKMB.4", "sync_changes_accepted", "sync_changes", D("1.00"), D(18)),
        ("TDGQ.1", "judged_in_time", "judged", D("0.80"), D(20)),
        ("CLGQ.1", "received_full_online", "received", D("0.50"), D(12)),
        ("TTTT.1", "fees_paid_online", "fees_paid", D("0.80"), D(10)),
        ("MDSH.1", "results_issued", "resolved", D("0.80"), D(11)),
        ("MDSH.2", "components_digitised", "components", D("0.80"), D("7.33")),
        ("MDSH.3", "components_reused", "components", D("0.80"), D("3.67")),
        ("MDHL.1", "feedback_judged_in_time", "feedback_judged", D("0.80"), D(6)),
        ("MDHL.2", "feedback_rated_satisfied", "feedback_rated", D("0.90"), D(6)),
        ("MDHL.3", "dossiers_rated_satisfied", "dossiers_rated", D("0.90"), D(6)),
    ]
    assert all(item.note for item in indicators)
    assert schemes.problems(in_force) == {}


def test_the_stored_scheme_scores_like_its_data(in_force, django_assert_num_queries):
    scheme = schemes.scheme_in_force(dt.date(2025, 6, 30))
    with django_assert_num_queries(0):  # groups and indicators came prefetched
        stored = scoring.score(scheme, FULL)
    assert stored == scoring.score(qd766.SCHEME_V3, FULL)
    assert stored.total == D("86.06")  # FULL has no sync figures: CKMB is N/A, the rest rescaled as in version 2


def test_the_data_migrations_are_reversible(in_force):
    v3 = importlib.import_module("motcua.metrics.migrations.0008_qd766_v3_status_sync")
    v3.unload(django_apps, None)
    assert schemes.scheme_in_force(dt.date(2025, 6, 30)).version == 2  # in force again
    v2 = importlib.import_module("motcua.metrics.migrations.0005_qd766_v2_satisfaction")
    v2.unload(django_apps, None)
    assert schemes.scheme_in_force(dt.date(2025, 6, 30)).version == 1
    migration = importlib.import_module("motcua.metrics.migrations.0002_qd766_scheme")
    migration.unload(django_apps, None)
    assert not IndexScheme.objects.filter(code="qd-766").exists()
    assert not IndicatorGroup.objects.exists() and not Indicator.objects.exists()
    migration.load(django_apps, None)
    migration.load(django_apps, None)  # twice: nothing doubles
    assert IndexScheme.objects.filter(code="qd-766").count() == 1
    assert Indicator.objects.filter(group__scheme__code="qd-766").count() == 6
    v2.load(django_apps, None)
    v2.load(django_apps, None)
    assert list(IndexScheme.objects.filter(code="qd-766").order_by("version").values_list("version", "status")) == [
        (1, SchemeStatus.RETIRED), (2, SchemeStatus.PUBLISHED)
    ]  # fmt: skip
    assert Indicator.objects.filter(group__scheme__code="qd-766", group__scheme__version=2).count() == 9


# --- Validation ------------------------------------------------------------------------------------------------


def test_an_unknown_measure_is_named():
    data = {**qd766.SCHEME, "groups": [dict(group) for group in qd766.SCHEME["groups"]]}
    tdgq = data["groups"][1]
    tdgq["indicators"] = [{**tdgq["indicators"][0], "numerator": "resolved_ontime"}]
    errors = schemes.problems(data)
    assert errors == {
        "TDGQ.TDGQ.1.numerator": "Chỉ số TDGQ.1: tử số “resolved_ontime” không phải đại lượng hệ thống đo."
    }
    with pytest.raises(SchemeInvalid) as refused:
        schemes.validate_scheme(data)
    assert "resolved_ontime" in refused.value.message and refused.value.status == 422


def test_points_that_do_not_add_up_are_listed_together():
    groups = [dict(group) for group in qd766.SCHEME["groups"]]
    groups[4] = {**groups[4], "indicators": groups[4]["indicators"][:2]}  # MDSH: 11 + 7.33 = 18.33, not 22
    groups[0] = {**groups[0], "max_points": "20"}  # CKMB 20: groups add up to 102
    errors = schemes.problems({**qd766.SCHEME, "groups": groups})
    assert errors == {
        "MDSH.indicators": "Nhóm MDSH: điểm các chỉ số cộng lại là 18.33, khác điểm tối đa của nhóm (22).",
        "groups": "Điểm tối đa các nhóm cộng lại là 102, phải đúng 100.",
    }
    with pytest.raises(SchemeInvalid) as refused:
        schemes.validate_scheme({**qd766.SCHEME, "groups": groups})
    assert refused.value.problems == list(errors.values())
    assert refused.value.message.startswith("Bộ chỉ số chưa hợp lệ: ")


def test_rules_are_checked():
    assert set(schemes.rule_problems({"not_applicable": "ignore"})) == {"rules.not_applicable"}
    assert set(schemes.rule_problems({"bands": [{"min": 50}]})) == {"rules.bands"}
    assert set(schemes.rule_problems({"bands": [{"min": 50, "label": "Đạt"}]})) == {"rules.bands"}  # no 0 band
    assert set(schemes.rule_problems({"bands": [{"min": 0, "label": "A"}, {"min": 0, "label": "B"}]})) == {
        "rules.bands"
    }
    assert schemes.rule_problems({"not_applicable": "zero", "bands": [{"min": 0, "label": "Đạt"}]}) == {}
    assert schemes.rule_problems({}) == {}


def test_a_group_without_indicators_is_valid_but_its_max_counts():
    assert schemes.problems({"groups": [{"code": "A", "max_points": 100}]}) == {}
    assert set(schemes.problems({"groups": [{"code": "A", "max_points": 0}, {"code": "B", "max_points": 100}]})) == {
        "A.max_points"
    }


# --- Versions in force -----------------------------------------------------------------------------------------


def test_scheme_in_force_picks_the_version_for_the_date(in_force):
    assert schemes.scheme_in_force(dt.date(2024, 12, 31)) is None
    assert schemes.scheme_in_force(dt.date(2025, 1, 1)) == in_force
    v2 = draft_from(in_force, valid_from=dt.date(2026, 1, 1))
    assert schemes.scheme_in_force(dt.date(2026, 3, 1)) == in_force  # a draft is never in force
    schemes.publish_scheme(scheme=v2, now=NOW)
    assert schemes.scheme_in_force(dt.date(2025, 12, 31)) == in_force
    assert schemes.scheme_in_force(dt.date(2026, 1, 1)) == v2
    assert schemes.scheme_in_force(dt.date(2030, 1, 1), code="qd-766") == v2
    assert schemes.scheme_in_force(dt.date(2030, 1, 1), code="khac") is None


def test_publishing_freezes_and_keeps_the_earlier_version(in_force):
    v2 = draft_from(in_force, valid_from=dt.date(2026, 1, 1))
    published = schemes.publish_scheme(scheme=v2, now=NOW)
    assert published.status == SchemeStatus.PUBLISHED and published.published_at == NOW
    in_force.refresh_from_db()
    assert in_force.status == SchemeStatus.PUBLISHED  # still scores 2025
    with pytest.raises(SchemeNotAllowed):
        schemes.publish_scheme(scheme=v2, now=NOW)  # already published


def test_a_new_version_from_the_same_day_retires_the_old_one(in_force):
    v2 = schemes.new_version_from(scheme=in_force)  # same valid_from as v1
    schemes.publish_scheme(scheme=v2, now=NOW)
    in_force.refresh_from_db()
    assert in_force.status == SchemeStatus.RETIRED
    assert schemes.scheme_in_force(dt.date(2025, 1, 1)) == v2


def test_a_version_cannot_start_before_the_published_one(in_force):
    v2 = draft_from(in_force, valid_from=dt.date(2024, 6, 1))
    with pytest.raises(SchemeNotAllowed, match="01/01/2025"):
        schemes.publish_scheme(scheme=v2, now=NOW)
    v2.refresh_from_db()
    assert v2.status == SchemeStatus.DRAFT


def test_an_invalid_draft_is_not_published(in_force):
    v2 = draft_from(in_force, valid_from=dt.date(2026, 1, 1))
    schemes.put_group(scheme=v2, code="TDGQ", name="Tiến độ giải quyết", max_points=25)
    with pytest.raises(SchemeInvalid) as refused:
        schemes.publish_scheme(scheme=v2, now=NOW)
    assert set(refused.value.errors) == {"TDGQ.indicators", "groups"}
    v2.refresh_from_db()
    assert v2.status == SchemeStatus.DRAFT and v2.published_at is None


def test_a_new_version_copies_everything(in_force):
    v2 = schemes.new_version_from(scheme=in_force)
    assert (v2.code, v2.version, v2.status, v2.published_at) == ("qd-766", 4, SchemeStatus.DRAFT, None)
    assert (v2.name, v2.legal_basis, v2.valid_from, v2.rules) == (
        in_force.name, in_force.legal_basis, in_force.valid_from, in_force.rules,
    )  # fmt: skip

    def content(scheme):
        return [
            (g.code, g.name, g.max_points, g.position,
             [(i.code, i.name, i.numerator, i.denominator, i.target, i.max_points, i.position, i.note)
              for i in g.indicators.all()])
            for g in scheme.groups.all()
        ]  # fmt: skip

    assert content(v2) == content(in_force)
    assert scoring.score(v2, FULL).total == scoring.score(in_force, FULL).total
    # The copy is its own: changing it leaves the published version as it was.
    schemes.update_draft(scheme=v2, rules={**v2.rules, "not_applicable": "zero"})
    in_force.refresh_from_db()
    assert in_force.rules["not_applicable"] == "rescale"
    assert schemes.new_version_from(scheme=in_force).version == 5


# --- Drafts are edited, published versions are not ----------------------------------------------------------------


def test_services_refuse_to_edit_a_published_version(in_force):
    attempts = [
        lambda: schemes.update_draft(scheme=in_force, name="Khác"),
        lambda: schemes.put_group(scheme=in_force, code="CKMB", name="Công khai", max_points=18),
        lambda: schemes.put_indicator(
            scheme=in_force,
            group_code="TDGQ",
            code="TDGQ.1",
            name="x",
            numerator="resolved_in_time",
            denominator="resolved",
            target="0.9",
            max_points=20,
        ),  # fmt: skip
        lambda: schemes.remove_group(scheme=in_force, code="CKMB"),
        lambda: schemes.remove_indicator(scheme=in_force, group_code="TDGQ", code="TDGQ.1"),
    ]
    for attempt in attempts:
        with pytest.raises(SchemeNotAllowed, match="tạo phiên bản mới"):
            attempt()
    assert scoring.spec_from_scheme(IndexScheme.objects.get(pk=in_force.pk)) == scoring.spec_from_scheme(in_force)
    assert Indicator.objects.get(group__scheme=in_force, code="TDGQ.1").target == D("0.80")


def test_a_draft_is_edited_through_the_services(in_force):
    v2 = draft_from(IndexScheme.objects.get(code="qd-766", version=2), valid_from=dt.date(2026, 1, 1))
    # CKMB gets measured: the indicator is added and the scheme still adds up.
    schemes.put_indicator(
        scheme=v2,
        group_code="CKMB",
        code="CKMB.1",
        name="Công khai đúng hạn",
        numerator="resolved_in_time",
        denominator="resolved",
        target="0.8",
        max_points=18,
    )
    schemes.put_indicator(
        scheme=v2,
        group_code="TDGQ",
        code="TDGQ.1",
        name="Đúng hạn",
        numerator="resolved_in_time",
        denominator="resolved",
        target="0.9",
        max_points=20,
    )
    schemes.remove_indicator(scheme=v2, group_code="MDSH", code="MDSH.3")
    schemes.put_indicator(
        scheme=v2,
        group_code="MDSH",
        code="MDSH.2",
        name="Số hóa",
        numerator="components_digitised",
        denominator="components",
        target="0.8",
        max_points=11,
    )
    assert schemes.problems(v2) == {}
    tdgq = Indicator.objects.get(group__scheme=v2, code="TDGQ.1")
    assert (tdgq.target, tdgq.position, tdgq.name) == (D("0.9"), 1, "Đúng hạn")
    assert Indicator.objects.get(group__scheme=v2, code="CKMB.1").position == 1
    schemes.publish_scheme(scheme=v2, now=NOW)
    # 2026: TDGQ 0.75 of 0.90 → 0.75 × 20 / 0.90 = 16.67; CKMB now applies (same 0.75 of 0.80 → 16.88)
    result = scoring.score(schemes.scheme_in_force(dt.date(2026, 1, 1)), FULL)
    assert result.indicator("TDGQ.1").points == D("16.67")
    assert result.indicator("CKMB.1").points == D("16.88")
    v3 = schemes.new_version_from(scheme=v2)
    schemes.remove_group(scheme=v3, code="MDHL")
    assert list(v3.groups.values_list("code", flat=True)) == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH"]
    assert schemes.problems(v3) == {"groups": "Điểm tối đa các nhóm cộng lại là 82, phải đúng 100."}


def test_put_indicator_checks_measures_and_target_at_once(in_force):
    v2 = schemes.new_version_from(scheme=in_force)
    with pytest.raises(SchemeInvalid) as refused:
        schemes.put_indicator(
            scheme=v2,
            group_code="MDHL",
            code="MDHL.1",
            name="Hài lòng",
            numerator="satisfied",
            denominator="rated",
            target="0.9",
            max_points=18,
        )
    assert set(refused.value.errors) == {"MDHL.MDHL.1.numerator", "MDHL.MDHL.1.denominator"}
    with pytest.raises(SchemeInvalid) as refused:
        schemes.put_indicator(
            scheme=v2,
            group_code="TDGQ",
            code="TDGQ.1",
            name="x",
            numerator="resolved_in_time",
            denominator="resolved",
            target="1.5",
            max_points=0,
        )
    assert set(refused.value.errors) == {"TDGQ.TDGQ.1.target", "TDGQ.TDGQ.1.max_points"}
    with pytest.raises(NotFound):
        schemes.put_indicator(
            scheme=v2,
            group_code="XXXX",
            code="X.1",
            name="x",
            numerator="resolved_in_time",
            denominator="resolved",
            target="0.8",
            max_points=1,
        )
    with pytest.raises(SchemeInvalid):
        schemes.update_draft(scheme=v2, rules={"not_applicable": "ignore"})


# --- Admin -----------------------------------------------------------------------------------------------------


def test_admin_shows_a_published_version_but_refuses_changes(admin_client, in_force):
    assert admin_client.get("/admin/metrics/indexscheme/").status_code == 200
    page = admin_client.get(f"/admin/metrics/indexscheme/{in_force.pk}/change/")
    assert page.status_code == 200
    assert "MDSH.3" in page.content.decode()  # the overview lists indicators
    post = admin_client.post(f"/admin/metrics/indexscheme/{in_force.pk}/change/", {"name": "Khác"})
    assert post.status_code == 403
    assert admin_client.post(f"/admin/metrics/indexscheme/{in_force.pk}/delete/", {"post": "yes"}).status_code == 403
    group = in_force.groups.get(code="TDGQ")
    indicator = group.indicators.get()
    assert admin_client.post(f"/admin/metrics/indicatorgroup/{group.pk}/change/", {}).status_code == 403
    assert admin_client.post(f"/admin/metrics/indicator/{indicator.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/metrics/indicatorgroup/").status_code == 200
    assert admin_client.get("/admin/metrics/indicator/").status_code == 200
    in_force.refresh_from_db()
    assert in_force.name == qd766.SCHEME["name"]


def test_admin_bulk_delete_keeps_published_versions(admin_client, in_force):
    draft = schemes.new_version_from(scheme=in_force)
    admin_client.post(
        "/admin/metrics/indexscheme/",
        {"action": "delete_selected", "_selected_action": [in_force.pk, draft.pk], "post": "yes"},
    )
    assert IndexScheme.objects.filter(pk=in_force.pk).exists()


def test_admin_actions_new_version_and_publish(admin_client, in_force):
    response = admin_client.post(
        "/admin/metrics/indexscheme/", {"action": "new_version", "_selected_action": [in_force.pk]}, follow=True
    )
    assert response.status_code == 200
    v2 = IndexScheme.objects.get(code="qd-766", version=4)
    assert v2.status == SchemeStatus.DRAFT
    page = admin_client.get(f"/admin/metrics/indexscheme/{v2.pk}/change/")
    assert page.status_code == 200 and "có thể công bố" in page.content.decode()
    schemes.update_draft(scheme=v2, valid_from=dt.date(2026, 1, 1))
    response = admin_client.post(
        "/admin/metrics/indexscheme/", {"action": "publish", "_selected_action": [v2.pk]}, follow=True
    )
    assert response.status_code == 200
    v2.refresh_from_db()
    assert v2.status == SchemeStatus.PUBLISHED and v2.published_at <= timezone.now()


def test_admin_publish_reports_what_is_wrong(admin_client, in_force):
    v2 = draft_from(in_force, valid_from=dt.date(2026, 1, 1))
    schemes.put_group(scheme=v2, code="CKMB", name="Công khai, minh bạch", max_points=20)
    page = admin_client.get(f"/admin/metrics/indexscheme/{v2.pk}/change/")
    assert "phải đúng 100" in page.content.decode()
    response = admin_client.post(
        "/admin/metrics/indexscheme/", {"action": "publish", "_selected_action": [v2.pk]}, follow=True
    )
    assert "phải đúng 100" in response.content.decode()
    v2.refresh_from_db()
    assert v2.status == SchemeStatus.DRAFT
