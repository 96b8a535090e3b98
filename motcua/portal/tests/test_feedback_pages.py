"""The portal's rating and feedback pages: who sees which page (the applicant, another citizen, an officer of
another agency, an anonymous visitor), what was typed stays on errors, double posts, the throttle, the code shown
once, the sender's steps by code, and the public answers without personal data."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from motcua.catalog.models import AgencyKind
from motcua.catalog.tests.factories import AgencyFactory
from motcua.feedback import defaults, services
from motcua.feedback.models import Feedback, Rating
from motcua.feedback.tests.conftest import filed, returned
from motcua.portal.tests.conftest import client_for


@pytest.fixture(autouse=True)
def feedback_world(world, settings, tmp_path):
    """The feedback rules, and signing keys in the test's own directory (approval signs the result)."""
    defaults.ensure()
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []


@pytest.fixture
def returned_dossier(world):
    return returned(world)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def sent(world, *, sender=None, **fields):
    values = {"name": "Lê Văn Cường", "email": "cuong@example.vn", "content": "Trả kết quả chậm.",
              "agency_identifier": world.agency.identifier, **fields}  # fmt: skip
    return services.submit_feedback(sender=sender, idempotency_key=str(uuid.uuid4()), **values)


def form_data(world, **changes) -> dict:
    data = {
        "name": "Lê Văn Cường", "email": "cuong@example.vn", "phone": "", "content": "Cán bộ hẹn trả chậm.",
        "procedure": "", "agency": world.agency.identifier, "dossier": "", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    data.update(changes)
    return data


# ----- the rating of a dossier -------------------------------------------------------------------------------------


def test_the_dossier_page_offers_the_rating_once_returned(world, returned_dossier):
    owner = client_for(world.owner)
    page = owner.get(f"/dossiers/{returned_dossier.code}/").content.decode()
    assert "Đánh giá mức độ hài lòng" in page and 'name="rating-level"' in page
    assert f"/feedback/?dossier={returned_dossier.code}" in page
    unfinished = filed(world)
    page = owner.get(f"/dossiers/{unfinished.code}/").content.decode()
    assert 'name="rating-level"' not in page and "Gửi phản ánh, kiến nghị về hồ sơ này" in page


def test_the_applicant_rates_and_sees_the_rating(world, returned_dossier):
    owner = client_for(world.owner)
    response = owner.post(
        f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "very_satisfied", "rating-comment": "Nhanh."}
    )
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{returned_dossier.code}/"
    page = owner.get(response["Location"]).content.decode()
    assert "Cảm ơn bạn đã đánh giá" in page and "Rất hài lòng" in page and "Sửa đánh giá" in page
    # A double click: the same rating again changes nothing.
    owner.post(
        f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "very_satisfied", "rating-comment": "Nhanh."}
    )
    assert Rating.objects.get().changes == 0


def test_an_invalid_rating_keeps_what_was_typed(world, returned_dossier):
    response = client_for(world.owner).post(
        f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "", "rating-comment": "Tôi muốn góp ý."}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "Hãy chọn mức độ hài lòng." in page and "Tôi muốn góp ý." in page
    assert not Rating.objects.exists()


def test_a_frozen_rating_is_shown_without_a_form(world, returned_dossier):
    services.rate_dossier(dossier_code=returned_dossier.code, applicant=world.owner, level="satisfied",
                          now=timezone.now() - dt.timedelta(days=31))  # window: 30 days  # fmt: skip
    page = client_for(world.owner).get(f"/dossiers/{returned_dossier.code}/").content.decode()
    assert "Đánh giá đã được chốt." in page and 'name="rating-level"' not in page
    response = client_for(world.owner).post(
        f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "not_satisfied"}
    )
    assert response.status_code == 302
    assert Rating.objects.get().level == "satisfied"


@pytest.mark.parametrize("who", ["other_citizen", "other_officer", "reception"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_rating_checks_ownership(world, returned_dossier, who, method):
    response = getattr(client_for(getattr(world, who)), method)(
        f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "not_satisfied"}
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rating_asks_an_anonymous_visitor_to_log_in(world, returned_dossier):
    response = Client().post(f"/dossiers/{returned_dossier.code}/rating/", {"rating-level": "not_satisfied"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().get("/dossiers/KHONG-CO/rating/").status_code == 302


def test_an_unfinished_dossier_has_no_rating_page(world):
    dossier = filed(world)
    assert client_for(world.owner).get(f"/dossiers/{dossier.code}/rating/").status_code == 404


# ----- sending feedback ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "other_citizen", "other_officer", None])
def test_anyone_may_open_the_feedback_form(world, who):
    response = client_for(getattr(world, who) if who else None).get("/feedback/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_form_is_prefilled_for_a_logged_in_sender_and_from_the_link(world):
    world.owner.email = "hoa@example.vn"
    world.owner.save()
    page = client_for(world.owner).get("/feedback/?dossier=H17.20.194-261123-0001&procedure=1.001193").content.decode()
    assert 'value="Nguyễn Thị Hoa"' in page and 'value="hoa@example.vn"' in page
    assert 'value="H17.20.194-261123-0001"' in page and 'value="1.001193"' in page


def test_an_anonymous_visitor_sends_feedback_and_sees_the_code_once(world):
    client = Client()
    response = client.post("/feedback/", form_data(world))
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = re.search(r'class="wallet-code">([0-9A-Z-]{14})<', page).group(1)
    feedback = Feedback.objects.get()
    assert feedback.sender is None and feedback.agency == world.agency
    assert f"/feedback/{code}/" in page and world.agency.name in page
    status = client.get(f"/feedback/{code}/")
    assert status.status_code == 200 and "Cán bộ hẹn trả chậm." in status.content.decode()


def test_a_double_post_is_one_feedback_and_shows_the_same_code(world):
    data = form_data(world)
    first = Client().post("/feedback/", data).content.decode()
    second = Client().post("/feedback/", data).content.decode()
    code = re.search(r'class="wallet-code">([0-9A-Z-]{14})<', first).group(1)
    assert code in second and Feedback.objects.count() == 1


def test_a_used_key_with_other_content_keeps_the_text_and_gives_a_new_key(world):
    data = form_data(world)
    Client().post("/feedback/", data)
    response = Client().post("/feedback/", {**data, "content": "Nội dung đã sửa."})
    page = response.content.decode()
    assert response.status_code == 409 and "đã được gửi" in page and "Nội dung đã sửa." in page
    assert hidden(page, "idempotency_key") != data["idempotency_key"]
    again = {**data, "content": "Nội dung đã sửa.", "idempotency_key": hidden(page, "idempotency_key")}
    assert Client().post("/feedback/", again).status_code == 200
    assert Feedback.objects.count() == 2


def test_errors_keep_what_was_typed(world):
    response = Client().post("/feedback/", form_data(world, email="", phone="", content="Nội dung còn đây."))
    page = response.content.decode()
    assert response.status_code == 422
    assert "Hãy nhập thư điện tử hoặc số điện thoại" in page and "Nội dung còn đây." in page
    assert 'value="Lê Văn Cường"' in page
    assert not Feedback.objects.exists()


def test_an_anonymous_visitor_cannot_name_a_dossier(world):
    dossier = filed(world)
    response = Client().post("/feedback/", form_data(world, dossier=dossier.code))
    assert response.status_code == 422 and "Chỉ chủ hồ sơ đã đăng nhập" in response.content.decode()


@pytest.mark.parametrize("who", ["other_citizen", "other_officer"])
def test_naming_a_dossier_checks_ownership(world, who):
    dossier = filed(world)
    response = client_for(getattr(world, who)).post("/feedback/", form_data(world, dossier=dossier.code))
    assert response.status_code == 422 and not Feedback.objects.exists()


def test_the_applicant_names_their_dossier(world):
    dossier = filed(world)
    response = client_for(world.owner).post("/feedback/", form_data(world, dossier=dossier.code, agency=""))
    assert response.status_code == 200
    assert Feedback.objects.get().dossier == dossier


def test_anonymous_feedback_is_throttled_per_address(world, settings):
    settings.MOTCUA_FEEDBACK_PER_IP = 2
    client = Client()
    for _attempt in range(2):
        assert client.post("/feedback/", form_data(world)).status_code == 200
    locked = client.post("/feedback/", form_data(world, content="Lần thứ ba."))
    assert locked.status_code == 429 and "Lần thứ ba." in locked.content.decode()
    assert Feedback.objects.count() == 2
    # A logged-in sender answers for themselves through their account.
    assert client_for(world.other_citizen).post("/feedback/", form_data(world)).status_code == 200


# ----- following feedback by code ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "other_citizen", "other_officer", None])
@pytest.mark.parametrize(("method", "page"), [("get", ""), ("post", "reply/"), ("post", "rate/")])
def test_the_feedback_pages_check_ownership(world, who, method, page):
    """The tracking code is the sender's key: a wrong code is a 404 for everyone, logged in or not."""
    sent(world)
    client = client_for(getattr(world, who) if who else None)
    response = getattr(client, method)(
        f"/feedback/ABCD-EFGH-JKMN/{page}", {"reply-content": "x", "rating-level": "satisfied"}
    )
    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_wrong_codes_are_throttled(world, settings):
    settings.MOTCUA_LOOKUP_FAILURES_PER_IP = 3
    client = Client()
    for _attempt in range(2):
        assert client.get("/feedback/ABCD-EFGH-JKMN/").status_code == 404
    assert client.get("/feedback/ABCD-EFGH-JKMN/").status_code == 429
    submission = sent(world)
    assert client.get(f"/feedback/{submission.code}/").status_code == 429  # locked, even with the right code


def test_the_code_entry_page(world):
    submission = sent(world)
    client = Client()
    assert client.get("/feedback/track/").status_code == 200
    response = client.post("/feedback/track/", {"code": submission.code.lower().replace("-", "")})
    assert response.status_code == 302 and response["Location"] == f"/feedback/{submission.code}/"
    wrong = client.post("/feedback/track/", {"code": "abc"})
    assert wrong.status_code == 422 and 'value="abc"' in wrong.content.decode()


def test_the_sender_replies_to_a_request_for_information(world):
    submission = sent(world)
    services.request_information(feedback_id=submission.feedback.pk, officer=world.reception,
                                 request="Xin cho biết ngày nộp hồ sơ.")  # fmt: skip
    client = Client()
    page = client.get(f"/feedback/{submission.code}/").content.decode()
    assert "Xin cho biết ngày nộp hồ sơ." in page and 'name="reply-content"' in page
    empty = client.post(f"/feedback/{submission.code}/reply/", {"reply-content": " ", "reply-idempotency_key": "k"})
    assert empty.status_code == 422 and "Hãy nhập thông tin bổ sung." in empty.content.decode()
    key = hidden(page, "reply-idempotency_key")
    for _click in range(2):
        response = client.post(f"/feedback/{submission.code}/reply/",
                               {"reply-content": "Nộp ngày 23/11.", "reply-idempotency_key": key})  # fmt: skip
        assert response.status_code == 302
    submission.feedback.refresh_from_db()
    assert submission.feedback.status == "received" and submission.feedback.events.filter(kind="reply").count() == 1


def test_the_sender_reads_the_answer_and_rates_it(world):
    submission = sent(world)
    services.answer_feedback(feedback_id=submission.feedback.pk, officer=world.reception, answer="Đã chấn chỉnh.")
    client = Client()
    page = client.get(f"/feedback/{submission.code}/").content.decode()
    assert "Đã chấn chỉnh." in page and 'name="rating-level"' in page
    invalid = client.post(f"/feedback/{submission.code}/rate/", {"rating-level": "", "rating-comment": "Giữ lại"})
    assert invalid.status_code == 422 and "Giữ lại" in invalid.content.decode()
    assert client.post(f"/feedback/{submission.code}/rate/", {"rating-level": "satisfied"}).status_code == 302
    submission.feedback.refresh_from_db()
    assert submission.feedback.sender_rating == "satisfied"


# ----- the public answers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "other_citizen", "other_officer", None])
def test_published_answers_are_public_without_personal_data(world, who):
    dossier = filed(world)
    submission = sent(world, sender=world.owner, dossier_code=dossier.code, phone="0905123456",
                      content="Hồ sơ của Nguyễn Thị Hoa trả chậm.")  # fmt: skip
    services.answer_feedback(feedback_id=submission.feedback.pk, officer=world.reception, answer="Kính gửi bà Hoa...")
    unpublished = sent(world, content="Chưa công khai.")
    services.answer_feedback(feedback_id=unpublished.feedback.pk, officer=world.reception, answer="Trả lời riêng.")
    services.publish_answer(feedback_id=submission.feedback.pk, officer=world.leader,
                            public_question="Hồ sơ khai sinh trả chậm.",
                            public_answer="Phường đã chấn chỉnh việc trả kết quả.")  # fmt: skip
    page = client_for(getattr(world, who) if who else None).get("/feedback/answers/").content.decode()
    assert "Hồ sơ khai sinh trả chậm." in page and "Phường đã chấn chỉnh việc trả kết quả." in page
    assert world.agency.name in page
    for private in ("Lê Văn Cường", "cuong@example.vn", "0905123456", dossier.code, "Nguyễn Thị Hoa", "Kính gửi",
                    "Chưa công khai", "Trả lời riêng"):  # fmt: skip
        assert private not in page


def test_answers_filter_by_agency(world):
    other = AgencyFactory(identifier="H17.98", name="Sở Nội vụ", kind=AgencyKind.PROVINCIAL_DEPARTMENT)
    submission = sent(world)
    services.answer_feedback(feedback_id=submission.feedback.pk, officer=world.reception, answer="A")
    services.publish_answer(feedback_id=submission.feedback.pk, officer=world.reception, public_question="Câu hỏi P",
                            public_answer="Trả lời P")  # fmt: skip
    assert "Câu hỏi P" in Client().get(f"/feedback/answers/?agency={world.agency.identifier}").content.decode()
    assert "Câu hỏi P" not in Client().get(f"/feedback/answers/?agency={other.identifier}").content.decode()
    assert Client().get("/feedback/answers/?agency=nonsense&page=99").status_code == 200


def test_the_feedback_pages_speak_english(world):
    submission = sent(world)
    client = Client(headers={"accept-language": "en"})
    assert "Send feedback" in client.get("/feedback/").content.decode()
    status = client.get(f"/feedback/{submission.code}/").content.decode()
    assert "Status of your feedback" in status and "Received, being handled" in status
    assert "Answers to feedback" in client.get("/feedback/answers/").content.decode()
