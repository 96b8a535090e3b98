"""/backoffice/sync/ and /backoffice/national/: an agency's officer sees its sync rate and nothing of the connector;
an officer of another agency sees only theirs; operators see the connector and resend; citizens and anonymous
visitors are sent to the officer login; the national page is the operators' on a national portal only."""

from __future__ import annotations

import re

import pytest

from motcua.accounts.models import User, UserKind
from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.sync.models import RecordStatus, SyncRecord

pytestmark = pytest.mark.django_db
PAGE = "/backoffice/sync/?month=2026-11"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def synced(world, settings, tmp_path, django_capture_on_commit_callbacks):
    """Two changes of one dossier pushed through the loopback connector and accepted, in November."""
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_SYNC_CONNECTOR = "loopback"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), now=at(2026, 11, 2, 9),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    assert set(SyncRecord.objects.values_list("status", flat=True)) == {RecordStatus.ACCEPTED}
    return dossier


@pytest.fixture
def operator(db):
    return User.objects.create_user(username="vanhanh", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)


def test_the_agencys_officer_sees_its_rate_and_not_the_connector(world, synced, django_assert_max_num_queries):
    client = client_for(world.reception)
    client.get("/backoffice/")  # the session's first request out of the count
    with django_assert_max_num_queries(15):
        response = client.get(PAGE)
    assert response.status_code == 200
    page = text(response)
    assert f"{world.agency.name} 2 2 100%" in page
    assert "Kết nối Cổng quốc gia" not in page and "Gửi lại" not in page
    assert client.post("/backoffice/sync/", {"since": "2026-11-01"}).status_code == 404


def test_an_officer_of_another_agency_sees_only_theirs(world, synced):
    page = text(client_for(world.other_officer).get(PAGE))
    assert world.agency.name not in page and f"{world.other_agency.name} 0 0 Không áp dụng" in page


def test_citizens_and_anonymous_visitors_go_to_the_officer_login(world, synced):
    for user in (world.owner, None):
        response = client_for(user).get(PAGE)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/officer/")


def test_operators_see_the_connector_and_resend(world, synced, operator, django_capture_on_commit_callbacks):
    client = client_for(operator)
    page = text(client.get(PAGE))
    assert "Kết nối Cổng quốc gia" in page and "Đang chờ gửi 0" in page
    assert "Các lần gửi gần nhất" in page and "Đã gửi 1 0 0" in page
    refused = client.post("/backoffice/sync/", {"since": "2099-01-01"})
    assert refused.status_code == 400 and "Ngày không được sau hôm nay." in text(refused)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/backoffice/sync/", {"since": "2026-01-01"}, follow=True)
    assert "Đã đặt 2 thay đổi để gửi lại Cổng quốc gia." in text(response)
    assert set(SyncRecord.objects.values_list("status", flat=True)) == {RecordStatus.ACCEPTED}  # resent at once


def test_the_national_page_is_for_operators_of_a_national_portal(world, synced, operator, settings):
    response = client_for(operator).get("/backoffice/national/")
    assert response.status_code == 200
    assert "48 — 48 1 2" in text(response)  # this instance (its own national portal): one dossier, two changes
    assert client_for(world.reception).get("/backoffice/national/").status_code == 404
    assert client_for(None).get("/backoffice/national/").status_code == 302
    settings.MOTCUA_SYNC_CONNECTOR = "off"  # a provincial instance is no national portal
    assert client_for(operator).get("/backoffice/national/").status_code == 404
