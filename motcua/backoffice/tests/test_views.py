"""The back office's pages: who gets in, the worklists, a dossier's page, its action forms, downloads."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.backoffice.tests.conftest import act, client_for, file_dossier
from motcua.dossiers.models import ActionKind, Dossier, DossierAction, DossierState
from motcua.dossiers.tests.factories import PDF_BYTES

S = DossierState
LOGIN = "/accounts/login/officer/"


def page(dossier) -> str:
    return f"/backoffice/dossiers/{dossier.code}/"


def post_action(client, dossier, kind, *, revision=None, key=None, **fields):
    data = {
        f"{kind}-expected_revision": revision if revision is not None else dossier.revision,
        f"{kind}-idempotency_key": key or uuid.uuid4().hex,
        **{f"{kind}-{name}": value for name, value in fields.items()},
    }
    return client.post(f"{page(dossier)}actions/{kind}/", data)


def text(response) -> str:
    return response.content.decode()


# ----- who gets in ------------------------------------------------------------------------------------------------


def test_every_page_is_for_officers_only(world, dossier):
    component = dossier.components.first()
    dossier_urls = [page(dossier), f"{page(dossier)}components/{component.pk}/"]
    entry_urls = ["/backoffice/", "/backoffice/register/"]

    officer = client_for(world.reception)
    for url in [*dossier_urls, *entry_urls]:
        assert officer.get(url).status_code == 200, url

    other_officer = client_for(world.other_officer)  # an officer of another agency
    for url in dossier_urls:
        assert other_officer.get(url).status_code == 404, url
    assert post_action(other_officer, dossier, "receive").status_code == 404
    worklist = other_officer.get("/backoffice/?list=all")
    assert worklist.status_code == 200 and dossier.code not in text(worklist)

    for citizen in (world.owner, world.other_citizen):
        client = client_for(citizen)
        for url in dossier_urls:
            assert client.get(url).status_code == 404, url
        assert post_action(client, dossier, "receive").status_code == 404
        for url in entry_urls:
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(LOGIN), url

    anonymous = client_for(None)
    for url in [*dossier_urls, *entry_urls]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response.url == f"{LOGIN}?next={url}", url
    response = post_action(anonymous, dossier, "receive")
    assert response.status_code == 302 and response.url.startswith(LOGIN)

    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED


def test_pages_are_not_cached(world, dossier):
    response = client_for(world.reception).get(page(dossier))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_direct_registration_is_for_the_one_stop_desk(world):
    assert client_for(world.specialist).get("/backoffice/register/").status_code == 404
    assert "Tiếp nhận hồ sơ trực tiếp" not in text(client_for(world.leader).get("/backoffice/"))


# ----- worklists ------------------------------------------------------------------------------------------------


def test_worklist_tabs_counts_and_rows(world):
    waiting = file_dossier(world)
    mine = file_dossier(world)
    act(mine, world.reception, ActionKind.RECEIVE)
    client = client_for(world.reception)

    response = client.get("/backoffice/")
    html = text(response)
    assert 'aria-current="page">Của tôi <span class="bo-count">1</span>' in html
    assert 'Chờ nhận/xử lý <span class="bo-count">1</span>' in html
    assert 'Tất cả <span class="bo-count">2</span>' in html
    assert mine.code in html and waiting.code not in html
    # Each row: code, procedure, applicant, state, step, assignee, appointment.
    for value in ("Đăng ký khai sinh", "Nguyễn Thị Hoa", "Được tiếp nhận", "Tiếp nhận hồ sơ", "Tiepnhan"):
        assert value in html
    assert timezone.localtime(mine.appointment_at).strftime("%H:%M %d/%m/%Y") in html
    assert f'href="/backoffice/dossiers/{mine.code}/"' in html

    queue = text(client.get("/backoffice/", {"list": "queue"}))
    assert waiting.code in queue and mine.code not in queue


def test_worklist_filters_keep_what_was_chosen_and_ignore_bad_values(world):
    first = file_dossier(world)
    second = file_dossier(world, user=world.other_citizen)
    client = client_for(world.reception)

    html = text(client.get("/backoffice/", {"list": "all", "q": "Trần Văn"}))
    assert second.code in html and first.code not in html
    assert 'value="Trần Văn"' in html

    html = text(client.get("/backoffice/", {"list": "all", "q": first.code[-4:], "state": "1", "channel": "2"}))
    assert first.code in html and second.code not in html
    assert '<option value="1" selected>Mới đăng ký</option>' in html

    html = text(client.get("/backoffice/", {"list": "all", "state": "4"}))
    assert first.code not in html and "Không có hồ sơ nào khớp điều kiện lọc." in html

    html = text(client.get("/backoffice/", {"list": "all", "procedure": "1.001193"}))
    assert first.code in html and second.code in html

    response = client.get("/backoffice/", {"list": "nonsense", "state": "99", "page": "x"})
    assert response.status_code == 200
    assert "Một số điều kiện lọc không hợp lệ và đã được bỏ qua." in text(response)


def test_worklist_is_paginated_and_keeps_the_filters(world, settings):
    settings.WORKLIST_PAGE_SIZE = 2
    codes = [file_dossier(world).code for _ in range(3)]
    client = client_for(world.reception)
    first = text(client.get("/backoffice/", {"list": "all", "channel": "2"}))
    assert "Trang 1 / 2" in first and "?list=all&amp;channel=2&amp;page=2" in first
    second = text(client.get("/backoffice/", {"list": "all", "channel": "2", "page": "2"}))
    assert sum(code in second for code in codes) == 1


def test_due_soon_and_overdue_are_badged(world):
    soon, late = file_dossier(world), file_dossier(world)
    for dossier in (soon, late):
        act(dossier, world.reception, ActionKind.RECEIVE)
    now = timezone.now()
    Dossier.objects.filter(pk=soon.pk).update(appointment_at=now + dt.timedelta(minutes=30))
    Dossier.objects.filter(pk=late.pk).update(appointment_at=now - dt.timedelta(hours=1))
    client = client_for(world.reception)

    overdue = text(client.get("/backoffice/", {"list": "overdue"}))
    assert late.code in overdue and soon.code not in overdue
    assert '<span class="bo-badge bo-badge-overdue">Quá hạn</span>' in overdue
    due_soon = text(client.get("/backoffice/", {"list": "due_soon"}))
    assert soon.code in due_soon and late.code not in due_soon
    assert '<span class="bo-badge bo-badge-due-soon">Sắp đến hạn</span>' in due_soon
    assert 'Quá hạn <span class="bo-count">1</span>' in due_soon


def test_worklist_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = client_for(world.reception)
    for _ in range(2):
        act(file_dossier(world), world.reception, ActionKind.RECEIVE)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/backoffice/", {"list": "all"}).status_code == 200
    for _ in range(8):
        act(file_dossier(world, user=world.other_citizen), world.reception, ActionKind.RECEIVE)
    with CaptureQueriesContext(connection) as many:
        html = text(client.get("/backoffice/", {"list": "all"}))
    assert html.count("/backoffice/dossiers/") == 10
    assert len(many) == len(few)
    with django_assert_max_num_queries(15):
        client.get("/backoffice/", {"list": "mine", "q": "H17", "procedure": "1.001193"})


# ----- the dossier page ---------------------------------------------------------------------------------------------


def test_dossier_page_shows_everything_and_logs_the_view(world, dossier):
    act(dossier, world.reception, ActionKind.RECEIVE, comment="Đủ giấy tờ")
    act(
        dossier, world.reception, ActionKind.REQUEST_SUPPLEMENT,
        missing=["Giấy chứng sinh bản rõ", "Tờ khai có chữ ký"], comment="Bản chụp mờ",
    )  # fmt: skip
    response = client_for(world.specialist).get(page(dossier))
    html = text(response)
    assert response.status_code == 200
    for value in (
        "Nguyễn Thị Hoa", "048190001234", "Đăng ký khai sinh", "Mã 1.001193, phiên bản 1", "Trực tuyến",
        "Yêu cầu bổ sung giấy tờ", "Tiếp nhận hồ sơ", "Tiepnhan",
        # e-form data with the form's labels
        "Họ, chữ đệm, tên của trẻ", "Nguyễn Văn An", "20/11/2026", "Giới tính", "Nam",
        # components
        "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Tải xuống giay-to.pdf",
        # the timeline: actor, role, comment, missing items
        "Nộp hồ sơ trực tuyến", "Chủ hồ sơ", "Cán bộ tiếp nhận (một cửa)", "Đủ giấy tờ", "Bản chụp mờ",
        "Giấy chứng sinh bản rõ", "Tờ khai có chữ ký", "Lần yêu cầu bổ sung: 1",
    ):  # fmt: skip
        assert value in html, value
    # The one-stop forms it has (receipt 01, supplement request 02, control slip 06), and no others.
    forms = f"/forms/dossiers/{dossier.code}/"
    assert f'href="{forms}01.pdf"' in html and f'href="{forms}02.pdf"' in html and f'href="{forms}06.pdf"' in html
    assert f"{forms}03.pdf" not in html and f"{forms}05.pdf" not in html
    assert DossierAction.objects.filter(dossier=dossier, kind=ActionKind.VIEW, actor=world.specialist).count() == 1
    assert "Nhật ký xem hồ sơ (1 lượt)" in html


def test_each_officer_sees_only_the_forms_of_what_they_may_do(world, dossier):
    reception = text(client_for(world.reception).get(page(dossier)))
    assert 'action="' + page(dossier) + 'actions/receive/"' in reception
    assert "actions/request_supplement/" in reception and "actions/refuse/" in reception
    assert "actions/approve/" not in reception
    leader = text(client_for(world.leader).get(page(dossier)))
    assert "/actions/" not in leader
    assert "Bạn không có thao tác nào với hồ sơ ở trạng thái và bước hiện tại." in leader


def test_hand_off_offers_the_officers_of_the_next_steps_role(world, dossier):
    act(dossier, world.reception, ActionKind.RECEIVE)
    html = text(client_for(world.reception).get(page(dossier)))
    form = html[html.index('actions/hand_off/"') : html.index("</form>", html.index('actions/hand_off/"'))]
    assert "Sang bước: Thẩm định, trình ký (Chuyên viên xử lý)" in form
    assert f'<option value="{world.specialist.pk}">Chuyenvien (chuyenvien)</option>' in form
    assert f'value="{world.leader.pk}"' not in form and f'value="{world.other_officer.pk}"' not in form
    assert 'name="hand_off-expected_revision" value="2"' in form
    assert 'name="hand_off-idempotency_key" value="' in form


def test_component_download_streams_the_file_as_an_attachment(world, dossier):
    component = dossier.components.first()
    response = client_for(world.reception).get(f"{page(dossier)}components/{component.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="giay-to.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES

    elsewhere = file_dossier(world, user=world.other_citizen).components.first()
    assert client_for(world.reception).get(f"{page(dossier)}components/{elsewhere.pk}/").status_code == 404


# ----- actions ----------------------------------------------------------------------------------------------------


def _through(world, dossier, *steps):
    for actor, kind, extra in steps:
        act(dossier, getattr(world, actor), kind, **extra)


SPEC = "specialist"


@pytest.mark.parametrize(
    ("before", "actor", "kind", "fields", "expect"),
    [
        ([], "reception", "receive", {}, {"state": S.RECEIVED, "assignee": "reception"}),
        (
            [], "reception", "request_supplement", {"missing": "Giấy chứng sinh\n\n  Tờ khai  \n", "comment": "Mờ"},
            {"state": S.SUPPLEMENT_REQUESTED, "missing": ["Giấy chứng sinh", "Tờ khai"]},
        ),
        ([], "reception", "refuse", {"comment": "Không thuộc thẩm quyền"}, {"state": S.REFUSED}),
        ([("reception", "receive", {})], "leader", "assign", {"assignee": "@reception"}, {"assignee": "reception"}),
        (
            [("reception", "receive", {})], "reception", "hand_off", {"assignee": "@specialist", "comment": "Chuyển"},
            {"state": S.PROCESSING, "assignee": "specialist"},
        ),
        (
            [("reception", "receive", {})], "reception", "hand_off", {"assignee": ""},
            {"state": S.PROCESSING, "assignee": None},
        ),
        (
            [("reception", "receive", {}), ("reception", "hand_off", {"assignee": SPEC})], "specialist", "return_step",
            {"comment": "Thiếu chữ ký"}, {"state": S.PROCESSING, "step": "Tiếp nhận hồ sơ"},
        ),
        (
            [("reception", "receive", {}), ("reception", "hand_off", {"assignee": SPEC})], "specialist",
            "request_payment", {"comment": "Lệ phí 8.000 đồng"}, {"state": S.PAYMENT_REQUESTED},
        ),
        (
            [("reception", "receive", {}), ("reception", "hand_off", {"assignee": SPEC}),
             ("specialist", "request_payment", {})],
            "reception", "confirm_payment", {}, {"state": S.PROCESSING},
        ),
        (
            [("reception", "receive", {}), ("reception", "hand_off", {"assignee": SPEC}),
             ("specialist", "hand_off", {"assignee": "leader"})],
            "leader", "approve", {"comment": "Đồng ý"}, {"state": S.RESULT_READY},
        ),
        (
            [("reception", "receive", {}), ("reception", "hand_off", {"assignee": SPEC}),
             ("specialist", "hand_off", {"assignee": "leader"}), ("leader", "approve", {})],
            "reception", "return_result", {}, {"state": S.RESULT_RETURNED},
        ),
        (
            [("reception", "receive", {})], "leader", "extend",
            {"new_date": "2027-01-15", "new_time": "16:30", "comment": "Cần xác minh thêm"},
            {"appointment": (2027, 1, 15, 16, 30)},
        ),
        ([("reception", "receive", {})], "leader", "stop", {"comment": "Người dân đề nghị dừng"}, {"state": S.STOPPED}),
    ],
)  # fmt: skip
def test_each_action_form_changes_the_dossier(world, dossier, before, actor, kind, fields, expect):
    for who, what, extra in before:
        extra = {key: getattr(world, value) if key == "assignee" else value for key, value in extra.items()}
        act(dossier, getattr(world, who), what, **extra)
    fields = {
        name: (str(getattr(world, value[1:]).pk) if isinstance(value, str) and value.startswith("@") else value)
        for name, value in fields.items()
    }
    client = client_for(getattr(world, actor))
    response = post_action(client, dossier, kind, **fields)
    assert response.status_code == 302, text(response)[-3000:]
    assert response.url == page(dossier)
    dossier.refresh_from_db()
    last = dossier.actions.exclude(kind=ActionKind.VIEW).order_by("-seq").first()
    assert last.kind == kind and last.actor == getattr(world, actor)
    if "state" in expect:
        assert dossier.state == expect["state"]
    if "assignee" in expect:
        assert dossier.assignee == (getattr(world, expect["assignee"]) if expect["assignee"] else None)
    if "missing" in expect:
        assert last.data["missing"] == expect["missing"]
    if "step" in expect:
        assert dossier.current_step.name == expect["step"]
    if "appointment" in expect:
        assert timezone.localtime(dossier.appointment_at).timetuple()[:5] == expect["appointment"]
    if fields.get("comment"):
        assert last.comment.startswith(fields["comment"])  # a payment request adds the amount owed
    followed = client.get(response.url)
    assert "Đã thực hiện “" in text(followed) and dossier.code in text(followed)


def test_a_stale_revision_shows_the_conflict_and_changes_nothing(world, dossier):
    act(dossier, world.reception, ActionKind.RECEIVE)  # revision 2
    client = client_for(world.reception)
    stale = dossier.revision
    act(dossier, world.leader, ActionKind.ASSIGN, assignee=world.reception)  # someone else: revision 3
    response = post_action(
        client, dossier, "hand_off", revision=stale, assignee=str(world.specialist.pk), comment="Chuyển thẩm định"
    )
    html = text(response)
    assert response.status_code == 200
    assert "Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang và thử lại." in html
    assert 'role="alert"' in html
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED and dossier.revision == 3
    assert not dossier.actions.filter(kind=ActionKind.HAND_OFF).exists()
    # What the officer typed stays, now against the current revision, so a second click works.
    assert "Chuyển thẩm định</textarea>" in html
    assert 'name="hand_off-expected_revision" value="3"' in html
    assert f'<option value="{world.specialist.pk}" selected>' in html


def test_an_illegal_action_is_explained_and_changes_nothing(world, dossier):
    client = client_for(world.reception)
    response = post_action(client, dossier, "approve", comment="Duyệt")
    assert response.status_code == 200
    assert "Không thể “Phê duyệt kết quả” khi hồ sơ đang ở trạng thái “Mới đăng ký”." in text(response)
    response = post_action(client, dossier, "withdraw")
    assert "Không thể “Rút hồ sơ”" in text(response)
    response = post_action(client, dossier, "no_such_thing")
    assert "Hành động không hợp lệ." in text(response)
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED and dossier.revision == 1
    assert list(dossier.actions.exclude(kind=ActionKind.VIEW).values_list("kind", flat=True)) == ["submit"]


def test_bad_input_is_shown_by_the_field_and_what_was_typed_stays(world, dossier):
    client = client_for(world.reception)
    response = post_action(client, dossier, "request_supplement", missing="  \n ", comment="Xin bổ sung sớm")
    html = text(response)
    assert response.status_code == 200
    assert "Chưa thực hiện được: hãy sửa các mục được đánh dấu." in html
    assert "Hãy ghi ít nhất một giấy tờ còn thiếu." in html
    assert "Xin bổ sung sớm</textarea>" in html
    assert 'aria-invalid="true"' in html

    response = post_action(client, dossier, "refuse", comment="")
    assert "Hãy nêu lý do." in text(response)

    act(dossier, world.reception, ActionKind.RECEIVE)
    leader = client_for(world.leader)
    response = post_action(leader, dossier, "extend", new_date="31/02/2027", new_time="17:00", comment="Chờ xác minh")
    html = text(response)
    assert "Ngày không hợp lệ" in html and "Chờ xác minh</textarea>" in html and 'value="31/02/2027"' in html

    # A rule of the service (the new appointment must be later) lands on the date field too.
    response = post_action(leader, dossier, "extend", new_date="2026-01-02", new_time="17:00", comment="Chờ xác minh")
    html = text(response)
    assert "Ngày hẹn mới phải sau ngày hẹn hiện tại." in html
    assert 'id="id_extend-new_date_error"' in html
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED and not dossier.actions.filter(
        kind__in=["refuse", "extend", "request_supplement"]
    )


def test_an_assignee_without_the_steps_role_is_refused_on_the_field(world, dossier):
    act(dossier, world.reception, ActionKind.RECEIVE)
    response = post_action(client_for(world.reception), dossier, "hand_off", assignee=str(world.leader.pk))
    assert "Lựa chọn không hợp lệ" in text(response) or "Hãy chọn một lựa chọn hợp lệ" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == S.RECEIVED


def test_sending_the_same_form_twice_acts_once(world, dossier):
    client = client_for(world.reception)
    key = uuid.uuid4().hex
    first = post_action(client, dossier, "receive", key=key)
    again = post_action(client, dossier, "receive", key=key, revision=1)
    assert first.status_code == again.status_code == 302
    assert dossier.actions.filter(kind=ActionKind.RECEIVE).count() == 1


def test_action_urls_only_take_posts(world, dossier):
    assert client_for(world.reception).get(f"{page(dossier)}actions/receive/").status_code == 405


def test_an_approval_that_cannot_be_signed_is_explained_and_approves_nothing(world, dossier, monkeypatch):
    from motcua.signing import pki

    for who, what, extra in (
        (world.reception, ActionKind.RECEIVE, {}),
        (world.reception, ActionKind.HAND_OFF, {"assignee": world.specialist}),
        (world.specialist, ActionKind.HAND_OFF, {"assignee": world.leader}),
    ):
        act(dossier, who, what, **extra)

    def no_key(agency):
        raise pki.SigningKeyError(f"No signing key for {agency.identifier}.")

    monkeypatch.setattr(pki, "agency_signer", no_key)
    response = post_action(client_for(world.leader), dossier, "approve", comment="Đồng ý")
    assert response.status_code == 200
    assert "Chưa ký số được kết quả nên hồ sơ chưa được phê duyệt" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == S.PROCESSING and not dossier.actions.filter(kind=ActionKind.APPROVE).exists()
