"""Bảng điều hành: /backoffice/operations/ and the dossiers behind each figure, for the November world's commune
(metrics/tests/test_rollups.py). The owner agency's officer sees its figures and lists (the count listed is the
figure), an officer of another agency gets 404 for it, a citizen is sent to the officer login from the dashboard
and gets 404 from a list, anonymous visitors go to the login; operators see every agency; lists have a bounded
number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from motcua.accounts.models import User, UserKind
from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import at
from motcua.metrics import dashboards, queries
from motcua.metrics import measures as m
from motcua.metrics.tests import conftest as metrics_fixtures
from motcua.wallet.tests.reuse_world import test_pki  # noqa: F401

# The November world (metrics/tests/test_rollups.py), as fixtures of this module.
counted = metrics_fixtures.counted
november = metrics_fixtures.november

TODAY = dt.date(2026, 12, 4)
NOW = at(2026, 11, 30, 17)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
PAGE = "/backoffice/operations/?agency=H17.20.194&month=2026-11"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(dashboards, "current_day", lambda: TODAY)
    monkeypatch.setattr(dashboards, "current_time", lambda: NOW)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def drill(measure: str, agency: str = "H17.20.194", start: str = "2026-11-01", end: str = "2026-11-30") -> str:
    return f"/backoffice/operations/dossiers/?agency={agency}&from={start}&to={end}&measure={measure}"


def test_operations_of_the_november_world(world, november, django_assert_max_num_queries, settings):
    """One world for every visitor (building it signs nine results)."""
    the_agencys_officer_sees_its_figures(world, november, django_assert_max_num_queries)
    each_figure_lists_its_dossiers(world, november, django_assert_max_num_queries, settings)
    others_do_not_see_them(world)
    operators_see_every_agency(world)


def the_agencys_officer_sees_its_figures(world, november, django_assert_max_num_queries):
    client = client_for(world.leader)
    client.get("/backoffice/operations/")  # the session's first request (its own queries) out of the count
    with django_assert_max_num_queries(25):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    page = text(response)
    assert "Ủy ban nhân dân Phường Hải Châu · Tháng 11/2026" in page
    # Open now (30/11 17:00): E, F, F2 waiting for a supplement at reception's step, J and K received; J overdue.
    steps = dashboards.open_by_step([world.agency.pk], now=NOW)
    assert sum(row["open"] for row in steps) == 5 and sum(row["overdue"] for row in steps) == 1
    for row in steps:
        assert f"{row['step']} {row['open']} {row['overdue']}" in page
    officers = dashboards.open_by_assignee([world.agency.pk], now=NOW)
    assert officers and sum(row["open"] for row in officers) == 5
    for row in officers:
        assert f"{row['name']} {row['open']} {row['overdue']}" in page
    # Biểu II.06a's figures of the month, each a link to its dossiers (test_rollups.py's hand computation).
    for measure, value in ((m.CARRIED_OVER, 1), (m.RECEIVED_ONLINE, 12), (m.RECEIVED_DIRECT, 1), (m.RESOLVED_LATE, 3),
                           (m.OPEN_IN_TIME, 2), (m.OPEN_OVERDUE, 3)):  # fmt: skip
        assert f'{drill(measure).replace("&", "&amp;")}" aria-label="{value} — {m.LABELS[measure]}' in (
            response.content.decode()
        ), measure
    # The index with its numerators and denominators as links too: TDGQ 8 of 14.
    assert f'href="{drill("judged_in_time").replace("&", "&amp;")}"' in response.content.decode()
    assert "14,25 / 20" in page
    # Every figure's link lists exactly as many dossiers as the figure says; feedback figures have no list.
    body = response.content.decode()
    links = re.findall(r'<a href="(/backoffice/operations/dossiers/\?[^"]+)" aria-label="[^"]*">(\d+)</a>', body)
    assert len(links) >= 20
    for href, figure in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, href
        assert f'<strong class="dash-total-value">{figure}</strong>' in listed.content.decode(), href
    assert "measure=feedback_" not in body and "measure=dossiers_rated" in body
    # The nav links the dashboard; the public page of the agency is linked.
    assert 'href="/backoffice/operations/" aria-current="page"' in response.content.decode()
    assert 'href="/service-index/H17.20.194/?month=2026-11"' in response.content.decode()


def each_figure_lists_its_dossiers(world, november, django_assert_max_num_queries, settings):
    client = client_for(world.reception)
    values = queries.measures_for([world.agency.pk], *NOVEMBER)
    for measure in (m.RESOLVED_LATE, m.RECEIVED_ONLINE, m.CARRIED_OVER, m.OPEN_OVERDUE, "judged_in_time", "judged"):
        response = client.get(drill(measure))
        assert response.status_code == 200, measure
        assert f'<strong class="dash-total-value">{values[measure]}</strong>' in response.content.decode(), measure
    response = client.get(drill(m.RESOLVED_LATE))
    body = response.content.decode()
    for name in ("C", "I", "L"):
        assert f'href="/backoffice/dossiers/{november[name]}/"' in body
    assert november["A"] not in body and world.owner.full_name not in body  # the list names no applicant
    # Paginated (5 a page here: 13 received, 3 pages), each page in a bounded number of queries.
    settings.WORKLIST_PAGE_SIZE = 5
    with django_assert_max_num_queries(12):
        response = client.get(drill("received"))
    assert response.status_code == 200 and "Trang 1 / 3" in text(response)
    assert '<strong class="dash-total-value">13</strong>' in response.content.decode()
    assert response.content.decode().count('href="/backoffice/dossiers/') == 5
    with django_assert_max_num_queries(12):
        last = client.get(drill("received") + "&page=3")
    assert "Trang 3 / 3" in text(last) and last.content.decode().count('href="/backoffice/dossiers/') == 3
    # Bad input: a clear message, never a 500.
    for url, message in (
        (drill("khong-co"), "Không có danh sách hồ sơ cho số liệu “khong-co”."),
        (drill(m.FEEDBACK_RECEIVED), "Không có danh sách hồ sơ"),
        (drill(m.OPEN, start="2026-11-30", end="2026-11-01"), "Kỳ của số liệu không hợp lệ"),
        (drill(m.OPEN, start="", end=""), "Kỳ của số liệu không hợp lệ"),
    ):
        response = client.get(url)
        assert response.status_code == 400 and message in text(response), url
    # A bad period on the dashboard keeps what was typed.
    response = client.get("/backoffice/operations/?agency=H17.20.194&month=2026-19")
    assert response.status_code == 400 and 'value="2026-19"' in response.content.decode()
    assert "Tháng không hợp lệ" in text(response)


def others_do_not_see_them(world):
    other = client_for(world.other_officer)
    assert other.get(PAGE).status_code == 404
    assert other.get(drill(m.RESOLVED_LATE)).status_code == 404
    assert other.get("/backoffice/operations/?agency=H99.99").status_code == 404
    own = other.get("/backoffice/operations/?month=2026-11")  # their own agency by default: nothing of the commune
    assert own.status_code == 200 and "Sở Tư pháp · Tháng 11/2026" in text(own)
    assert "Phường Hải Châu" not in text(own)
    citizen = client_for(world.owner)
    response = citizen.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/officer/")
    assert citizen.get(drill(m.RESOLVED_LATE)).status_code == 404
    anonymous = client_for(None)
    for url in (PAGE, drill(m.RESOLVED_LATE)):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/officer/?next=")


def operators_see_every_agency(world):
    operator = User.objects.create_user(username="vanhanh", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)
    client = client_for(operator)
    response = client.get(PAGE)
    assert response.status_code == 200 and "Sở Tư pháp (H17.01)" in text(response)  # the chooser lists all
    listed = client.get(drill(m.RESOLVED_LATE))
    assert listed.status_code == 200 and 'href="/backoffice/dossiers/' not in listed.content.decode()  # no pages


def test_an_officer_without_roles_sees_an_empty_dashboard(world):
    from motcua.accounts.models import Membership

    Membership.objects.filter(user=world.other_officer).update(is_active=False)
    response = client_for(world.other_officer).get("/backoffice/operations/")
    assert response.status_code == 200 and "Bạn chưa giữ vai trò nào" in text(response)
