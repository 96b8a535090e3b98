"""Hồ sơ của tôi: who sees which page, the timeline, withdrawal, supplements, notifications, the public lookup,
and a fixed number of queries for the list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from motcua.documents.services import store_document
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import ActionKind, DossierAction, DossierState
from motcua.dossiers.services import perform_action
from motcua.dossiers.tests.factories import pdf
from motcua.notify.models import Notification
from motcua.portal.tests.conftest import client_for, submit

S = DossierState


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def act(world, dossier, actor, kind, **kwargs):
    return perform_action(dossier_code=dossier.code, actor=actor, kind=kind, **kwargs)


def request_supplement(world, dossier):
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    act(
        world, dossier, world.reception, ActionKind.REQUEST_SUPPLEMENT, missing=["Giấy chứng sinh bản rõ nét"],
        comment="Bản chụp bị mờ, không đọc được ngày sinh.",
    )  # fmt: skip
    dossier.refresh_from_db()
    return dossier


# ----- who sees what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("owner", 200), ("other_citizen", 404), ("reception", 404), ("leader", 404), ("other_officer", 404)],
)
@pytest.mark.parametrize("page", ["", "withdraw/"])
def test_a_dossier_page_is_only_for_its_applicant(world, dossier, who, status, page):
    response = client_for(getattr(world, who)).get(f"/dossiers/{dossier.code}/{page}")
    assert response.status_code == status


@pytest.mark.parametrize("who", ["other_citizen", "reception", "other_officer"])
def test_nobody_else_can_act_on_the_dossier(world, dossier, who):
    client = client_for(getattr(world, who))
    response = client.post(
        f"/dossiers/{dossier.code}/withdraw/",
        {
            "reason": "x",
            "expected_revision": dossier.revision,
            "idempotency_key": "0d4f6a4e-6c35-4c59-9d55-2d1f0d6b9e11",
        },
    )
    assert response.status_code == 404
    assert client.post(f"/dossiers/{dossier.code}/supplement/", {}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED


@pytest.mark.parametrize("path", ["/dossiers/", "/notifications/", "/drafts/"])
def test_list_pages_show_each_applicant_their_own(world, dossier, path):
    assert dossier.code in client_for(world.owner).get(path).content.decode() or path == "/drafts/"
    other = client_for(world.other_citizen).get(path)
    assert other.status_code == 200 and dossier.code not in other.content.decode()
    for officer in (world.reception, world.other_officer):
        assert client_for(officer).get(path).status_code == 404


@pytest.mark.parametrize("path", ["/dossiers/", "/dossiers/H17.20.194-261123-0001/", "/notifications/", "/drafts/"])
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"


# ----- the list and a dossier -------------------------------------------------------------------------------------


def test_my_dossiers_lists_code_procedure_state_and_dates(world, dossier):
    html = client_for(world.owner).get("/dossiers/").content.decode()
    assert f'href="/dossiers/{dossier.code}/"' in html
    assert "Đăng ký khai sinh" in html and "Mới đăng ký" in html
    assert "1 hồ sơ đã nộp" in html


def test_the_dossier_page_shows_status_timeline_form_and_components(world, dossier):
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    act(world, dossier, world.reception, ActionKind.HAND_OFF, assignee=world.specialist)  # internal: not shown
    dossier.refresh_from_db()
    html = client_for(world.owner).get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Được tiếp nhận" in html and "Tiếp nhận hồ sơ" in html and "Nộp hồ sơ trực tuyến" in html
    assert "Chuyển bước xử lý" not in html
    assert f"{timezone.localtime(dossier.appointment_at):%d/%m/%Y}" in html  # the appointment
    assert "Nguyễn Văn An" in html and "20/11/2026" in html
    assert "Giấy chứng sinh" in html and "giay-to.pdf" in html
    assert f'href="/dossiers/{dossier.code}/withdraw/"' in html


# ----- withdrawal -----------------------------------------------------------------------------------------------


def test_withdrawal_needs_a_reason_and_a_confirmation_and_happens_once(world, dossier):
    owner = client_for(world.owner)
    confirm = owner.get(f"/dossiers/{dossier.code}/withdraw/").content.decode()
    assert "Xác nhận rút hồ sơ" in confirm
    revision, key = hidden(confirm, "expected_revision"), hidden(confirm, "idempotency_key")
    url = f"/dossiers/{dossier.code}/withdraw/"

    response = owner.post(url, {"reason": "", "expected_revision": revision, "idempotency_key": key})
    assert response.status_code == 200 and "Hãy nêu lý do rút hồ sơ." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED

    form = {"reason": "Nộp nhầm thủ tục", "expected_revision": revision, "idempotency_key": key}
    assert owner.post(url, form)["Location"] == f"/dossiers/{dossier.code}/"
    assert owner.post(url, form).status_code == 302  # the same key again: nothing more happens
    dossier.refresh_from_db()
    assert dossier.state == S.WITHDRAWN
    assert DossierAction.objects.filter(dossier=dossier, kind=ActionKind.WITHDRAW).count() == 1
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Công dân yêu cầu rút hồ sơ" in page and "Nộp nhầm thủ tục" in page
    assert f'href="{url}"' not in page
    assert owner.get(url).status_code == 302  # nothing left to withdraw


def test_withdrawing_after_someone_else_changed_the_dossier_asks_to_confirm_again(world, dossier):
    owner = client_for(world.owner)
    url = f"/dossiers/{dossier.code}/withdraw/"
    confirm = owner.get(url).content.decode()
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    response = owner.post(
        url,
        {
            "reason": "Không cần nữa",
            "expected_revision": hidden(confirm, "expected_revision"),
            "idempotency_key": hidden(confirm, "idempotency_key"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Hồ sơ vừa được người khác cập nhật" in html
    assert "Không cần nữa" in html  # the reason typed stays
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED and hidden(html, "expected_revision") == str(dossier.revision)


# ----- supplement -------------------------------------------------------------------------------------------------


def test_the_applicant_supplements_what_was_asked(world, dossier):
    dossier = request_supplement(world, dossier)
    owner = client_for(world.owner)
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Cơ quan yêu cầu bổ sung hồ sơ" in page
    assert "Giấy chứng sinh bản rõ nét" in page and "Bản chụp bị mờ" in page
    birth_certificate = world.version.components.get(position=2)
    assert f'name="files-{birth_certificate.pk}"' in page

    form = {
        "expected_revision": hidden(page, "expected_revision"),
        "idempotency_key": hidden(page, "idempotency_key"),
        "note": "Đã chụp lại bản rõ nét.",
    }
    bad = owner.post(
        f"/dossiers/{dossier.code}/supplement/", {**form, f"files-{birth_certificate.pk}": pdf("mo.pdf", b"not a pdf")}
    )
    assert bad.status_code == 200 and "Tệp “mo.pdf” không phải PDF, PNG hoặc JPEG hợp lệ." in bad.content.decode()
    empty = owner.post(f"/dossiers/{dossier.code}/supplement/", form)
    assert "Hãy tải lên ít nhất một giấy tờ bổ sung." in empty.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == S.SUPPLEMENT_REQUESTED

    response = owner.post(
        f"/dossiers/{dossier.code}/supplement/", {**form, f"files-{birth_certificate.pk}": pdf("chung-sinh-ro.pdf")}
    )
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{dossier.code}/"
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED
    supplemented = dossier.components.get(supplement_round=1)
    assert supplemented.requirement == birth_certificate and supplemented.document.original_name == "chung-sinh-ro.pdf"
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Đã gửi giấy tờ bổ sung" in page and "bổ sung lần 1" in page
    assert f'action="/dossiers/{dossier.code}/supplement/"' not in page


def test_when_the_desk_names_the_components_only_those_are_offered_and_accepted(world, dossier):
    declaration, birth_certificate = world.version.components.order_by("position")
    reception = client_for(world.reception)
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    dossier.refresh_from_db()
    desk = reception.get(f"/backoffice/dossiers/{dossier.code}/").content.decode()
    assert f'name="request_supplement-requirements" value="{birth_certificate.pk}"' in desk
    response = reception.post(
        f"/backoffice/dossiers/{dossier.code}/actions/request_supplement/",
        {
            "request_supplement-expected_revision": dossier.revision,
            "request_supplement-idempotency_key": "9b2d8f0e-1c3a-4e5b-8d7f-6a5b4c3d2e1f",
            "request_supplement-missing": "Giấy chứng sinh bản rõ nét",
            "request_supplement-requirements": [str(birth_certificate.pk)],
        },
    )
    assert response.status_code == 302
    request = dossier.actions.get(kind=ActionKind.REQUEST_SUPPLEMENT)
    assert request.data["requirements"] == [birth_certificate.pk]
    desk = reception.get(f"/backoffice/dossiers/{dossier.code}/").content.decode()
    assert "Thành phần cần nộp lại" in desk

    owner = client_for(world.owner)
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    assert f'name="files-{birth_certificate.pk}"' in page and f'name="files-{declaration.pk}"' not in page
    form = {"expected_revision": hidden(page, "expected_revision"), "idempotency_key": hidden(page, "idempotency_key")}
    # A component the desk did not ask for is not taken, even when posted by hand.
    extra = store_document(owner=world.owner, upload=pdf("to-khai.pdf"), created_by=world.owner)
    with pytest.raises(DossierInvalid) as refused:
        perform_action(
            dossier_code=dossier.code, actor=world.owner, kind=ActionKind.SUPPLEMENT, files={declaration.pk: [extra]}
        )
    assert refused.value.errors == {f"components.{declaration.pk}": "Cơ quan không yêu cầu bổ sung thành phần này."}
    response = owner.post(
        f"/dossiers/{dossier.code}/supplement/", {**form, f"files-{birth_certificate.pk}": pdf("chung-sinh-ro.pdf")}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED


def test_a_request_naming_a_component_of_another_procedure_is_refused(world, dossier):
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    with pytest.raises(DossierInvalid) as refused:
        act(
            world, dossier, world.reception, ActionKind.REQUEST_SUPPLEMENT, missing=["Giấy tờ"],
            requirements=[999_999],
        )  # fmt: skip
    assert "requirements" in refused.value.errors
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED


# ----- notifications ----------------------------------------------------------------------------------------------


def test_notifications_are_listed_counted_in_the_header_and_marked_read(world, dossier):
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    owner = client_for(world.owner)
    assert Notification.objects.filter(user=world.owner, read_at__isnull=True).count() == 2
    home = owner.get("/").content.decode()
    assert re.search(r'href="/notifications/">Thông báo <span class="my-count">.*?2.*?chưa đọc', home)
    assert 'href="/dossiers/"' in home

    page = owner.get("/notifications/").content.decode()
    assert f"Hồ sơ {dossier.code}: Được tiếp nhận" in page and f'href="/dossiers/{dossier.code}/"' in page
    newest = Notification.objects.filter(user=world.owner).order_by("-created_at", "-pk").first()
    assert owner.post("/notifications/read/", {"notification": newest.pk}).status_code == 302
    assert Notification.objects.filter(user=world.owner, read_at__isnull=True).count() == 1
    # Someone else's notification cannot be marked.
    client_for(world.other_citizen).post("/notifications/read/")
    assert Notification.objects.filter(user=world.owner, read_at__isnull=True).count() == 1
    owner.post("/notifications/read/")
    assert not Notification.objects.filter(user=world.owner, read_at__isnull=True).exists()
    assert 'class="my-count"' not in owner.get("/").content.decode()


# ----- public lookup ----------------------------------------------------------------------------------------------


def test_lookup_with_the_right_pair_shows_status_and_public_timeline_only(world, dossier):
    act(world, dossier, world.reception, ActionKind.RECEIVE)
    response = Client().post("/lookup/", {"code": dossier.code.lower(), "id_last4": "1234"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Được tiếp nhận" in html and "Tiếp nhận hồ sơ" in html and "Đăng ký khai sinh" in html
    assert world.owner.full_name not in html and "048190001234" not in html and "Nguyễn Văn An" not in html


@pytest.mark.parametrize("code, last4", [("right", "9999"), ("H17.20.194-261123-9999", "1234"), ("wrong", "0000")])
def test_lookup_with_a_wrong_pair_does_not_say_which_part_is_wrong(world, dossier, code, last4):
    code = dossier.code if code == "right" else code
    html = Client().post("/lookup/", {"code": code, "id_last4": last4}).content.decode()
    assert "Không tìm thấy hồ sơ với mã hồ sơ và 4 chữ số đã nhập" in html
    assert "Mới đăng ký" not in html


def test_lookup_is_throttled_per_address_after_repeated_failures(world, dossier, settings):
    settings.MOTCUA_LOOKUP_FAILURES_PER_IP = 3
    client = Client()
    for digits in ("0001", "0002"):
        assert client.post("/lookup/", {"code": dossier.code, "id_last4": digits}).status_code == 200
    third = client.post("/lookup/", {"code": dossier.code, "id_last4": "0003"})
    assert "quá nhiều lần" in third.content.decode()
    locked = client.post("/lookup/", {"code": dossier.code, "id_last4": "1234"})  # even the right pair
    assert locked.status_code == 429 and "Mới đăng ký" not in locked.content.decode()
    other_address = Client(REMOTE_ADDR="10.0.0.9").post("/lookup/", {"code": dossier.code, "id_last4": "1234"})
    assert other_address.status_code == 200 and "Mới đăng ký" in other_address.content.decode()


def test_the_lookup_form_explains_its_fields(client, world):
    html = client.post("/lookup/", {"code": "", "id_last4": "12a"}).content.decode()
    assert "Hãy nhập mã hồ sơ." in html and "Hãy nhập đúng 4 chữ số" in html
    assert client.get("/lookup/").status_code == 200


# ----- performance ------------------------------------------------------------------------------------------------


def test_my_dossiers_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    files = world.required_files()
    owner = client_for(world.owner)
    for _ in range(2):
        submit(world, files=files)
    with django_assert_max_num_queries(6):
        assert owner.get("/dossiers/").status_code == 200
    for _ in range(23):
        submit(world, files=files)
    with django_assert_max_num_queries(6):
        html = owner.get("/dossiers/").content.decode()
    assert "25 hồ sơ đã nộp" in html and "Trang 1 / 2" in html


@pytest.mark.parametrize(
    "who, status", [("owner", 200), ("other_citizen", 404), ("reception", 404), ("other_officer", 404)]
)
def test_component_download_checks_ownership(world, who, status):
    dossier = submit(world)
    component = dossier.components.first()
    response = client_for(getattr(world, who)).get(f"/dossiers/{dossier.code}/components/{component.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(None).get(f"/dossiers/{dossier.code}/components/{component.pk}/").status_code == 302
    other = submit(world, user=world.other_citizen).components.first()
    assert client_for(world.owner).get(f"/dossiers/{dossier.code}/components/{other.pk}/").status_code == 404


def test_a_dossier_waiting_for_payment_shows_its_bill_and_starts_a_sandbox_payment(world, settings):
    from motcua.payments.models import BillStatus
    from motcua.payments.tests.conftest import certified_copy_version, dossier_waiting_for_payment

    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox"]
    settings.MOTCUA_SANDBOX_GATEWAY_SECRET = "sandbox-secret-for-tests"
    version = certified_copy_version()
    version.procedure.agencies.add(world.agency)
    dossier, bill = dossier_waiting_for_payment(world, version)
    owner = client_for(world.owner)
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Phí, lệ phí phải nộp" in page and "Thanh toán trực tuyến" in page
    started = owner.post(f"/payments/bills/{bill.pk}/pay/", {"gateway": "sandbox"})
    assert started.status_code == 302 and "/payments/sandbox/pay/" in started["Location"]
    other = client_for(world.other_citizen).post(f"/payments/bills/{bill.pk}/pay/", {"gateway": "sandbox"})
    assert other.status_code == 404
    bill.refresh_from_db()
    assert bill.status == BillStatus.OPEN  # starting a payment pays nothing: only the gateway's notification does
