"""/national/lookup/ on a national portal: anyone finds a dossier by its code and the last 4 digits of the
applicant's ID, and sees its status and history as its instance pushed them; a wrong pair finds nothing and
counts against the visitor's lookups; a provincial instance has no such page."""

import re

import pytest
from django.test import Client

from motcua.national.services import receive_batch
from motcua.national.tests.conftest import change, national, province  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
CODE = "H48.01-261102-0001"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def pushed(province):  # noqa: F811  (the fixture imported above)
    first, second = change(CODE, 1), change(CODE, 2, state=2)
    for item in (first, second):
        item["payload"]["MaDoiTuong"] = "048190001234"
    second["payload"]["QuaTrinhXuLy"][1]["HanhDong"] = "receive"
    receive_batch(token=province.batch([first, second]))


def test_anyone_finds_the_status_with_the_code_and_four_digits(pushed):
    response = Client().post("/national/lookup/", {"code": CODE.lower(), "id_last4": "1234"})
    assert response.status_code == 200
    page = text(response)
    assert f"Hồ sơ {CODE}" in page and "Được tiếp nhận" in page and "Tiếp nhận hồ sơ" in page
    assert "048190001234" not in page  # the ID itself is never shown


def test_a_wrong_pair_finds_nothing(pushed):
    response = Client().post("/national/lookup/", {"code": CODE, "id_last4": "9999"})
    assert response.status_code == 200 and "Không tìm thấy hồ sơ" in text(response)


def test_a_provincial_instance_has_no_national_lookup(db, settings):
    settings.MOTCUA_ROLE, settings.MOTCUA_SYNC_CONNECTOR = "provincial", "off"
    assert Client().get("/national/lookup/").status_code == 404
