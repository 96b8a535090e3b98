"""A walk-in's account: the desk that created it gives an activation code (shown once); the citizen sets their
password with it and sees their dossier. Nobody else issues codes, and no code takes over a real account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.accounts.models import AccountClaim
from motcua.backoffice.services import find_or_create_walk_in_citizen
from motcua.backoffice.tests.conftest import client_for, file_dossier
from motcua.dossiers.services import register_direct_dossier

WALK_IN_ID = "048195007777"
NEW_PASSWORD = "Hai-Chau-2026-mat-khau"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


@pytest.fixture
def walk_in(world):
    citizen = find_or_create_walk_in_citizen(citizen_id=WALK_IN_ID, full_name="Lê Văn Tám")
    return register_direct_dossier(
        officer=world.reception, applicant=citizen, version=world.version, agency=world.agency,
        form_data=world.form, files=world.required_files(citizen),
    )  # fmt: skip


def issue(client, dossier) -> str:
    response = client.post(f"/backoffice/dossiers/{dossier.code}/account-claim/")
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"].startswith("max-age=0")
    return re.search(r'class="claim-code">([A-Z0-9-]+)<', response.content.decode()).group(1)


def claim(client, *, code: str, password: str = NEW_PASSWORD, confirm: str | None = None, citizen_id=WALK_IN_ID):
    return client.post(
        "/accounts/claim/",
        {"citizen_id": citizen_id, "code": code, "password": password, "password_confirm": confirm or password},
    )


def test_the_desk_gives_a_code_and_the_citizen_activates_the_account(world, walk_in):
    desk = client_for(world.reception)
    page = desk.get(f"/backoffice/dossiers/{walk_in.code}/").content.decode()
    assert "Cấp mã kích hoạt tài khoản" in page
    code = issue(desk, walk_in)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    stored = AccountClaim.objects.get(user=walk_in.applicant)
    assert code.replace("-", "") not in stored.code_digest and stored.issued_by == world.reception

    citizen = client_for(None)
    weak = claim(citizen, code=code, password="12345678")
    assert weak.status_code == 200 and "Mật khẩu" in weak.content.decode()
    walk_in.applicant.refresh_from_db()
    assert not walk_in.applicant.has_usable_password()  # nothing changed, the code is still good

    response = claim(citizen, code=code.lower().replace("-", " "))  # typed loosely from paper
    assert response.status_code == 302 and response.url == "/dossiers/"
    assert walk_in.code in citizen.get("/dossiers/").content.decode()
    walk_in.applicant.refresh_from_db()
    assert walk_in.applicant.check_password(NEW_PASSWORD)
    assert AccountClaim.objects.get(user=walk_in.applicant).used_at is not None

    again = claim(client_for(None), code=code, password="Mot-mat-khau-khac-2026")
    assert "mã kích hoạt không đúng" in again.content.decode()
    walk_in.applicant.refresh_from_db()
    assert walk_in.applicant.check_password(NEW_PASSWORD)
    # The account has a password now: the desk offers no code any more.
    assert "Cấp mã kích hoạt tài khoản" not in desk.get(f"/backoffice/dossiers/{walk_in.code}/").content.decode()
    assert desk.post(f"/backoffice/dossiers/{walk_in.code}/account-claim/").status_code == 404


def test_a_new_code_replaces_the_old_and_an_expired_one_fails(world, walk_in):
    desk = client_for(world.reception)
    first = issue(desk, walk_in)
    second = issue(desk, walk_in)
    assert AccountClaim.objects.filter(user=walk_in.applicant).count() == 1
    assert "mã kích hoạt không đúng" in claim(client_for(None), code=first).content.decode()
    past = timezone.now() - dt.timedelta(days=31)
    AccountClaim.objects.filter(user=walk_in.applicant).update(issued_at=past, expires_at=past + dt.timedelta(days=30))
    assert "mã kích hoạt không đúng" in claim(client_for(None), code=second).content.decode()


def test_only_the_desk_of_the_agency_issues_codes(world, walk_in):
    for who in ("specialist", "leader", "other_officer"):
        response = client_for(getattr(world, who)).post(f"/backoffice/dossiers/{walk_in.code}/account-claim/")
        assert response.status_code == 404, who
    assert client_for(world.owner).post(f"/backoffice/dossiers/{walk_in.code}/account-claim/").status_code in (
        302,
        404,
    )
    assert client_for(None).post(f"/backoffice/dossiers/{walk_in.code}/account-claim/").status_code == 302
    assert not AccountClaim.objects.exists()


def test_no_code_for_an_account_its_owner_already_controls(world):
    dossier = file_dossier(world)  # the owner registered online and has a password
    desk = client_for(world.reception)
    assert "Cấp mã kích hoạt tài khoản" not in desk.get(f"/backoffice/dossiers/{dossier.code}/").content.decode()
    assert desk.post(f"/backoffice/dossiers/{dossier.code}/account-claim/").status_code == 404


def test_guessing_codes_is_throttled(world, walk_in, settings):
    settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT = 3
    code = issue(client_for(world.reception), walk_in)
    citizen = client_for(None)
    for _attempt in range(3):
        claim(citizen, code="AAAAA-AAAAA")
    locked = claim(citizen, code=code)
    assert "tạm dừng" in locked.content.decode()
    walk_in.applicant.refresh_from_db()
    assert not walk_in.applicant.has_usable_password()


def test_the_claim_page_keeps_what_was_typed_and_says_what_is_wrong(db):
    response = claim(client_for(None), code="", citizen_id="12", password="abc", confirm="abd")
    html = response.content.decode()
    assert response.status_code == 200 and "Hãy nhập mã kích hoạt." in html
    assert "Hai mật khẩu không khớp." in html and 'value="12"' in html
