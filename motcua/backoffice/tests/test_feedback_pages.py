"""Phản ánh, kiến nghị in the back office: who sees which feedback (the agency's officers, an officer of another
agency, citizens, anonymous visitors), the worklist's order and badges, each step from its form, errors that keep
what was typed, and double posts."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from motcua.backoffice.tests.conftest import client_for
from motcua.feedback import defaults, services
from motcua.feedback.models import Feedback, FeedbackStatus


@pytest.fixture(autouse=True)
def feedback_rules(world):
    defaults.ensure()


def sent(world, *, agency=None, content="Cán bộ hẹn trả kết quả chậm.", now=None):
    return services.submit_feedback(
        sender=None, name="Lê Văn Cường", email="cuong@example.vn", phone="0905123456", content=content,
        agency_identifier=(agency or world.agency).identifier, idempotency_key=str(uuid.uuid4()),
        now=now or timezone.now(),
    ).feedback  # fmt: skip


@pytest.fixture
def feedback(world) -> Feedback:
    return sent(world)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


# ----- who sees what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reception", "specialist", "leader"])
def test_any_officer_of_the_agency_sees_its_feedback(world, feedback, who):
    client = client_for(getattr(world, who))
    listing = client.get("/backoffice/feedback/").content.decode()
    assert f"/backoffice/feedback/{feedback.pk}/" in listing
    page = client.get(f"/backoffice/feedback/{feedback.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lê Văn Cường" in html and "cuong@example.vn" in html and "0905123456" in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]


@pytest.mark.parametrize("who", ["other_officer", "owner", "other_citizen"])
@pytest.mark.parametrize(
    ("method", "path"), [("get", ""), ("post", "answer/"), ("post", "refuse/"), ("post", "request-info/")]
)
def test_feedback_checks_ownership(world, feedback, who, method, path):
    response = getattr(client_for(getattr(world, who)), method)(
        f"/backoffice/feedback/{feedback.pk}/{path}", {"answer-answer": "x", "answer-idempotency_key": "k" * 10}
    )
    assert response.status_code == 404
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.RECEIVED


def test_another_agencys_officer_lists_none_of_it(world, feedback):
    page = client_for(world.other_officer).get("/backoffice/feedback/").content.decode()
    assert str(feedback.pk) not in page and "Không có phản ánh, kiến nghị nào" in page
    assert client_for(world.other_officer).get(f"/backoffice/feedback/{uuid.uuid4()}/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_officer_login(world, feedback):
    for path in ("/backoffice/feedback/", f"/backoffice/feedback/{feedback.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/officer/")
    post = Client().post(f"/backoffice/feedback/{feedback.pk}/answer/", {"answer-answer": "x"})
    assert post.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.RECEIVED


def test_a_citizen_is_sent_to_the_officer_login_from_the_list(world):
    response = client_for(world.owner).get("/backoffice/feedback/")
    assert response.status_code == 302


def test_the_nav_links_to_feedback(world):
    page = client_for(world.reception).get("/backoffice/").content.decode()
    assert 'href="/backoffice/feedback/"' in page


# ----- the worklist ------------------------------------------------------------------------------------------------


def test_the_worklist_puts_the_nearest_deadline_first(world):
    now = timezone.now()
    newer = sent(world, content="Phản ánh mới", now=now)
    older = sent(world, content="Phản ánh cũ quá hạn", now=now - timezone.timedelta(days=40))
    waiting = sent(world, content="Phản ánh chờ bổ sung", now=now - timezone.timedelta(days=50))
    services.request_information(feedback_id=waiting.pk, officer=world.reception, request="?")
    answered = sent(world, content="Phản ánh đã trả lời")
    services.answer_feedback(feedback_id=answered.pk, officer=world.reception, answer="A")
    page = client_for(world.reception).get("/backoffice/feedback/").content.decode()
    positions = [page.index(text) for text in ("Phản ánh cũ quá hạn", "Phản ánh mới", "Phản ánh chờ bổ sung")]
    assert positions == sorted(positions)
    assert "Phản ánh đã trả lời" not in page and "Quá hạn" in page
    to_publish = client_for(world.reception).get("/backoffice/feedback/?list=to_publish").content.decode()
    assert "Phản ánh đã trả lời" in to_publish and "Phản ánh mới" not in to_publish
    assert newer.pk and older.pk
    everything = client_for(world.reception).get("/backoffice/feedback/?list=nonsense&page=x").content.decode()
    assert "Phản ánh mới" in everything  # an unknown list is the open one


# ----- the steps ------------------------------------------------------------------------------------------------


def test_answer_then_publish_from_the_page(world, feedback):
    client = client_for(world.specialist)
    page = client.get(f"/backoffice/feedback/{feedback.pk}/").content.decode()
    key = hidden(page, "answer-idempotency_key")
    data = {"answer-answer": "Kính gửi ông Cường: phường đã chấn chỉnh.", "answer-idempotency_key": key}
    for _click in range(2):
        response = client.post(f"/backoffice/feedback/{feedback.pk}/answer/", data)
        assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.ANSWERED and feedback.events.filter(kind="answer").count() == 1
    page = client.get(f"/backoffice/feedback/{feedback.pk}/").content.decode()
    assert "Đã thực hiện “Trả lời phản ánh, kiến nghị”." in page
    assert 'name="publish-public_question"' in page and "Cán bộ hẹn trả kết quả chậm.</textarea>" in page
    response = client.post(
        f"/backoffice/feedback/{feedback.pk}/publish/",
        {"publish-public_question": "Trả kết quả chậm.", "publish-public_answer": "Phường đã chấn chỉnh.",
         "publish-idempotency_key": hidden(page, "publish-idempotency_key")},
    )  # fmt: skip
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.PUBLISHED and feedback.public_answer == "Phường đã chấn chỉnh."
    assert (
        "Phản ánh, kiến nghị này đã xử lý xong." in client.get(f"/backoffice/feedback/{feedback.pk}/").content.decode()
    )


def test_a_refusal_without_a_reason_keeps_the_page_and_says_why(world, feedback):
    client = client_for(world.reception)
    response = client.post(
        f"/backoffice/feedback/{feedback.pk}/refuse/", {"refuse-reason": " ", "refuse-idempotency_key": "k" * 10}
    )
    assert response.status_code == 422 and "Hãy nêu lý do từ chối tiếp nhận." in response.content.decode()
    response = client.post(
        f"/backoffice/feedback/{feedback.pk}/publish/",
        {"publish-public_question": "Q", "publish-public_answer": "A", "publish-idempotency_key": "k" * 10},
    )  # not answered yet
    assert response.status_code == 409 and "Công khai kết quả trả lời" in response.content.decode()


def test_publishing_without_texts_keeps_what_was_typed(world, feedback):
    services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="A")
    response = client_for(world.reception).post(
        f"/backoffice/feedback/{feedback.pk}/publish/",
        {"publish-public_question": "Câu hỏi đã sửa", "publish-public_answer": "", "publish-idempotency_key": "k" * 10},
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Hãy nhập nội dung trả lời được công khai." in page
    assert "Câu hỏi đã sửa</textarea>" in page


def test_request_information_and_its_form_disappears(world, feedback):
    client = client_for(world.reception)
    page = client.get(f"/backoffice/feedback/{feedback.pk}/").content.decode()
    response = client.post(
        f"/backoffice/feedback/{feedback.pk}/request-info/",
        {
            "request-info-request": "Xin cho biết mã hồ sơ.",
            "request-info-idempotency_key": hidden(page, "request-info-idempotency_key"),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/backoffice/feedback/{feedback.pk}/").content.decode()
    assert "Tạm dừng: chờ người gửi bổ sung thông tin" in page
    assert 'name="request-info-request"' not in page and 'name="answer-answer"' in page


def test_an_unknown_step_is_a_404(world, feedback):
    response = client_for(world.reception).post(f"/backoffice/feedback/{feedback.pk}/delete/", {})
    assert response.status_code == 404


def test_reading_a_logged_in_senders_feedback_is_in_their_access_log(world):
    from motcua.wallet.models import AccessRecord

    mine = services.submit_feedback(
        sender=world.other_citizen, name="Trần Văn Bình", email="binh@example.vn", content="Phản ánh",
        agency_identifier=world.agency.identifier, idempotency_key=str(uuid.uuid4()),
    ).feedback  # fmt: skip
    anonymous = sent(world)
    client_for(world.specialist).get(f"/backoffice/feedback/{mine.pk}/")
    client_for(world.specialist).get(f"/backoffice/feedback/{anonymous.pk}/")
    [record] = AccessRecord.objects.all()
    assert (record.subject, record.accessor, record.accessor_agency) == (
        world.other_citizen,
        world.specialist,
        world.agency,
    )
    assert record.what.startswith("Phản ánh, kiến nghị gửi lúc") and record.reference == str(mine.pk)
