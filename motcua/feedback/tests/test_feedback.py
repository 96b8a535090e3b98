"""Phản ánh, kiến nghị: submission and routing, the handling steps and their working-day deadlines (frozen time,
Vietnam's 2026 holidays), the sender's steps by tracking code, and the counts the index reads."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from motcua.catalog.models import AgencyKind
from motcua.catalog.tests.factories import AgencyFactory
from motcua.dossiers.tests.factories import at
from motcua.feedback import codes, queries, services
from motcua.feedback.errors import FeedbackInvalid, FeedbackNotAllowed, NotFound
from motcua.feedback.models import (
    Feedback,
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackRule,
    RoutedBy,
    RuleKind,
)
from motcua.feedback.tests.conftest import filed
from motcua.notify.models import Notification

MONDAY = at(2026, 11, 23, 9)  # Tuesday 24/11/2026 is a holiday (Vietnam Culture Day)


def send(world=None, *, sender=None, now=MONDAY, key=None, **fields):
    values = {
        "name": "Lê Văn Cường", "email": "cuong@example.vn", "phone": "", "content": "Cán bộ hẹn trả kết quả chậm.",
        "procedure_code": "", "agency_identifier": world.agency.identifier if world else "", "dossier_code": "",
    }  # fmt: skip
    values.update(fields)
    sent = services.submit_feedback(sender=sender, idempotency_key=key or str(uuid.uuid4()), now=now, **values)
    return sent.feedback, sent.code


# ----- submission ------------------------------------------------------------------------------------------------


def test_anyone_sends_feedback_and_gets_a_code(world):
    feedback, code = send(world)
    assert codes.normalise(code) is not None and len(code) == 14
    assert feedback.digest == codes.digest(code) and feedback.hint == codes.normalise(code)[-4:]
    assert code not in str(Feedback.objects.filter(pk=feedback.pk).values().get())  # only the digest is kept
    assert (feedback.status, feedback.agency, feedback.routed_by) == ("received", world.agency, RoutedBy.AGENCY)
    assert feedback.sender is None and feedback.sender_email == "cuong@example.vn"
    event = feedback.events.get()
    assert (event.kind, event.seq, event.to_status, event.actor) == ("submit", 1, "received", None)
    assert queries.feedback_by_code(code.lower().replace("-", " ")) == feedback


def test_deadlines_count_working_days_from_receipt(world):
    feedback, _code = send(world)
    # Received Monday 23/11; Tuesday 24/11 is a holiday, so 2 working days end on Thursday 26/11 at 17:00.
    assert feedback.refuse_due == at(2026, 11, 26, 17)
    assert feedback.info_due == at(2026, 12, 1, 17)
    assert feedback.answer_due == feedback.due_at == at(2026, 12, 15, 17)
    assert feedback.rules["answer"] == [15, "working_day"]


def test_received_on_a_day_off_or_after_hours_counts_from_the_next_working_day(world):
    sunday, _code = send(world, now=at(2026, 11, 22, 10))
    friday_evening, _code = send(world, now=at(2026, 11, 20, 18))
    assert sunday.refuse_due == friday_evening.refuse_due == at(2026, 11, 26, 17)


def test_national_day_holidays_and_the_2026_swap(world):
    # Friday 28/8/2026: 31/8 (swapped day off), 1/9 and 2/9 are off, so 2 working days end on Friday 4/9.
    feedback, _code = send(world, now=at(2026, 8, 28, 9))
    assert feedback.refuse_due == at(2026, 9, 4, 17)


def test_the_deadlines_are_data_and_pinned_at_receipt(world):
    FeedbackRule.objects.filter(kind=RuleKind.ANSWER).update(days=10)
    feedback, _code = send(world)
    assert feedback.answer_due == at(2026, 12, 8, 17)
    FeedbackRule.objects.filter(kind=RuleKind.ANSWER).update(days=20)
    services.request_information(feedback_id=feedback.pk, officer=world.reception, request="Số hồ sơ?",
                                 now=at(2026, 11, 25, 10))  # fmt: skip
    services.reply_with_information(code=_code, content="H17.20.194-261123-0001", now=at(2026, 11, 26, 10))
    feedback.refresh_from_db()
    assert feedback.answer_due == at(2026, 12, 9, 17)  # still 10 days (+1 waited), as pinned at receipt


def test_missing_rules_refuse_with_a_clear_message(world):
    FeedbackRule.objects.filter(kind=RuleKind.PUBLISH).delete()
    with pytest.raises(FeedbackNotAllowed, match="quản trị hệ thống"):
        send(world)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "", "phone": ""}, "email"),
        ({"email": "khong-phai-thu"}, "email"),
        ({"email": "", "phone": "12345"}, "phone"),
        ({"content": ""}, "content"),
        ({"content": "x" * 5001}, "content"),
        ({"procedure_code": "9.999999"}, "procedure"),
        ({"agency_identifier": "H99.99"}, "agency"),
    ],
)
def test_invalid_feedback_says_where(world, fields, field):
    with pytest.raises(FeedbackInvalid) as refused:
        send(world, **fields)
    assert field in refused.value.errors
    assert not Feedback.objects.exists()


def test_a_phone_alone_is_enough_and_is_normalised(world):
    feedback, _code = send(world, email="", phone="+84 905 123 456")
    assert (feedback.sender_email, feedback.sender_phone) == ("", "0905123456")


def test_a_dossier_is_named_only_by_its_applicant(world):
    dossier = filed(world)
    for sender in (None, world.other_citizen, world.reception):
        with pytest.raises(FeedbackInvalid) as refused:
            send(world, sender=sender, dossier_code=dossier.code)
        assert "dossier" in refused.value.errors
    feedback, _code = send(None, sender=world.owner, dossier_code=dossier.code.lower())
    assert (feedback.dossier, feedback.agency, feedback.routed_by) == (dossier, world.agency, RoutedBy.DOSSIER)
    assert feedback.sender == world.owner


def test_routing_dossier_then_agency_then_the_procedures_only_agency_then_the_centre(world, centre):
    dossier = filed(world)
    by_dossier, _c = send(world, sender=world.owner, dossier_code=dossier.code, agency_identifier=centre.identifier)
    assert by_dossier.agency == world.agency
    by_agency, _c = send(world, agency_identifier=world.other_agency.identifier, procedure_code="1.001193")
    assert (by_agency.agency, by_agency.routed_by) == (world.other_agency, RoutedBy.AGENCY)
    by_procedure, _c = send(None, procedure_code="1.001193")
    assert (by_procedure.agency, by_procedure.routed_by) == (world.agency, RoutedBy.PROCEDURE)
    assert by_procedure.procedure.code == "1.001193"
    world.version.procedure.agencies.add(world.other_agency)  # two agencies: nobody in particular
    shared, _c = send(None, procedure_code="1.001193")
    assert (shared.agency, shared.routed_by) == (centre, RoutedBy.FALLBACK)
    nothing, _c = send(None)
    assert nothing.agency == centre


def test_without_a_centre_the_provincial_peoples_committee_then_the_sender_must_choose(world):
    with pytest.raises(FeedbackInvalid) as refused:
        send(None)
    assert "agency" in refused.value.errors
    committee = AgencyFactory(identifier="H17", name="UBND thành phố Đà Nẵng", kind=AgencyKind.PROVINCIAL_PC)
    assert send(None)[0].agency == committee


def test_a_retry_with_the_same_key_shows_the_same_code_once_stored(world):
    key = str(uuid.uuid4())
    fields = {"sender": None, "name": "A", "email": "a@example.vn", "content": "B", "idempotency_key": key,
              "agency_identifier": world.agency.identifier}  # fmt: skip
    first = services.submit_feedback(**fields, now=MONDAY)
    again = services.submit_feedback(**fields, now=MONDAY + dt.timedelta(seconds=2))
    assert (first.created, again.created) == (True, False)
    assert (again.feedback.pk, again.code) == (first.feedback.pk, first.code)
    assert Feedback.objects.count() == 1 and FeedbackEvent.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"content": "Nội dung khác"}, {"now": MONDAY + dt.timedelta(minutes=31)}, {"sender": "other_citizen"}],
)
def test_a_used_key_reveals_nothing_to_anything_but_the_same_retry(world, change):
    key = str(uuid.uuid4())
    send(world, key=key)
    if change.get("sender"):
        change = {"sender": world.other_citizen}
    with pytest.raises(FeedbackNotAllowed, match="đã được gửi"):
        send(world, key=key, **change)
    assert Feedback.objects.count() == 1


def test_a_missing_key_is_refused(world):
    with pytest.raises(FeedbackInvalid):
        services.submit_feedback(sender=None, name="A", email="a@example.vn", content="B", idempotency_key=" ")


# ----- handling ----------------------------------------------------------------------------------------------------


def test_refuse_on_time_with_a_reason(world):
    feedback, code = send(world)
    event = services.refuse_feedback(
        feedback_id=feedback.pk, officer=world.reception, reason="Không thuộc thẩm quyền.", now=at(2026, 11, 26, 17)
    )
    feedback.refresh_from_db()
    assert (feedback.status, feedback.refused_on_time, feedback.due_at) == ("refused", True, None)
    assert (event.kind, event.actor, event.actor_agency, event.from_status) == (
        "refuse", world.reception, world.agency, "received"
    )  # fmt: skip
    assert event.comment == feedback.refusal_reason == "Không thuộc thẩm quyền."


def test_refusing_late_is_recorded_late(world):
    feedback, _code = send(world)
    services.refuse_feedback(
        feedback_id=feedback.pk, officer=world.specialist, reason="Trùng.", now=at(2026, 11, 27, 8)
    )
    feedback.refresh_from_db()
    assert feedback.refused_on_time is False


def test_a_refusal_needs_a_reason(world):
    feedback, _code = send(world)
    with pytest.raises(FeedbackInvalid) as refused:
        services.refuse_feedback(feedback_id=feedback.pk, officer=world.reception, reason="  ")
    assert "reason" in refused.value.errors


def test_request_information_pauses_the_answer_clock(world):
    feedback, code = send(world)
    services.request_information(
        feedback_id=feedback.pk, officer=world.specialist, request="Xin cho biết mã hồ sơ.", now=at(2026, 11, 25, 10)
    )
    feedback.refresh_from_db()
    assert (feedback.status, feedback.info_requested_on_time, feedback.answer_due) == ("info_requested", True, None)
    with pytest.raises(FeedbackNotAllowed):  # waiting for the sender already
        services.request_information(feedback_id=feedback.pk, officer=world.specialist, request="Lần nữa")
    services.reply_with_information(code=code, content="Mã hồ sơ H17.20.194-261123-0001", now=at(2026, 11, 30, 10))
    feedback.refresh_from_db()
    # Waited 26/11, 27/11 and 30/11 (three working days): the answer is due three working days later.
    assert (feedback.status, feedback.answer_due, feedback.due_at) == ("received", at(2026, 12, 18, 17),
                                                                       at(2026, 12, 18, 17))  # fmt: skip
    assert feedback.info_reply == "Mã hồ sơ H17.20.194-261123-0001"
    with pytest.raises(FeedbackNotAllowed, match="một lần"):
        services.request_information(feedback_id=feedback.pk, officer=world.specialist, request="Lần nữa")
    services.answer_feedback(feedback_id=feedback.pk, officer=world.specialist, answer="Đã xử lý.",
                             now=at(2026, 12, 18, 17))  # fmt: skip
    feedback.refresh_from_db()
    assert feedback.answered_on_time is True


def test_asking_for_information_late(world):
    feedback, _code = send(world)
    services.request_information(feedback_id=feedback.pk, officer=world.reception, request="?", now=at(2026, 12, 2, 8))
    feedback.refresh_from_db()
    assert feedback.info_requested_on_time is False


def test_answering_without_the_reply_ends_the_wait(world):
    feedback, code = send(world)
    services.request_information(
        feedback_id=feedback.pk, officer=world.reception, request="?", now=at(2026, 11, 25, 10)
    )
    event = services.answer_feedback(
        feedback_id=feedback.pk, officer=world.leader, answer="Trả lời theo thông tin hiện có.", now=at(2026, 12, 17, 9)
    )
    feedback.refresh_from_db()
    # The wait 25/11 → 17/12 (15 working days) moves the due date beyond the answer: on time.
    assert feedback.answered_on_time is True and event.data == {"without_reply": True, "on_time": True}
    with pytest.raises(FeedbackNotAllowed):
        services.reply_with_information(code=code, content="Muộn")


def test_answer_on_time_at_the_deadline_and_late_after_it(world):
    on_time, _c = send(world)
    late, _c = send(world)
    services.answer_feedback(feedback_id=on_time.pk, officer=world.reception, answer="Đã kiểm tra.",
                             now=at(2026, 12, 15, 17))  # fmt: skip
    services.answer_feedback(feedback_id=late.pk, officer=world.reception, answer="Đã kiểm tra.",
                             now=at(2026, 12, 16, 8))  # fmt: skip
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.answered_on_time, late.answered_on_time) == (True, False)
    assert on_time.status == "answered" and on_time.answer == "Đã kiểm tra."
    # Publication is due two working days after the answer's day; an answer at 17:00 is after working hours, so
    # it counts from Wednesday 16/12: due Friday 18/12.
    assert on_time.publish_due == on_time.due_at == at(2026, 12, 18, 17)
    assert late.publish_due == at(2026, 12, 18, 17)


def test_publish_with_texts_cleared_of_personal_data(world):
    feedback, _code = send(world)
    services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="Kính gửi ông Cường: ...",
                             now=at(2026, 11, 26, 10))  # fmt: skip
    with pytest.raises(FeedbackInvalid) as refused:
        services.publish_answer(feedback_id=feedback.pk, officer=world.leader, public_question="", public_answer="")
    assert set(refused.value.errors) == {"public_question", "public_answer"}
    services.publish_answer(
        feedback_id=feedback.pk, officer=world.leader, public_question="Kết quả trả chậm.",
        public_answer="Cơ quan đã kiểm tra ...", now=at(2026, 11, 30, 17),
    )  # fmt: skip
    feedback.refresh_from_db()
    assert (feedback.status, feedback.published_on_time, feedback.due_at) == ("published", True, None)
    assert [e.kind for e in feedback.events.order_by("seq")] == ["submit", "answer", "publish"]


def test_publishing_late(world):
    feedback, _code = send(world)
    services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="A", now=at(2026, 11, 26, 10))
    services.publish_answer(feedback_id=feedback.pk, officer=world.reception, public_question="Q", public_answer="A",
                            now=at(2026, 12, 1, 8))  # fmt: skip
    feedback.refresh_from_db()
    assert feedback.published_on_time is False


def test_steps_out_of_order_are_refused(world):
    feedback, _code = send(world)
    with pytest.raises(FeedbackNotAllowed, match="Công khai"):
        services.publish_answer(
            feedback_id=feedback.pk, officer=world.reception, public_question="Q", public_answer="A"
        )
    services.refuse_feedback(feedback_id=feedback.pk, officer=world.reception, reason="Trùng lặp.")
    for step in (
        lambda: services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="A"),
        lambda: services.refuse_feedback(feedback_id=feedback.pk, officer=world.reception, reason="B"),
        lambda: services.request_information(feedback_id=feedback.pk, officer=world.reception, request="C"),
    ):
        with pytest.raises(FeedbackNotAllowed):
            step()


def test_officers_act_only_on_their_agencys_feedback(world, centre):
    feedback, _code = send(world)
    for officer in (world.other_officer, world.owner):
        with pytest.raises(NotFound):
            services.answer_feedback(feedback_id=feedback.pk, officer=officer, answer="A")
        with pytest.raises(NotFound):
            queries.officer_feedback_item(officer, feedback.pk)
    with pytest.raises(NotFound):
        services.answer_feedback(feedback_id="not-a-uuid", officer=world.reception, answer="A")
    feedback.refresh_from_db()
    assert feedback.status == "received"


def test_a_repeated_key_returns_the_earlier_step(world):
    feedback, _code = send(world)
    first = services.answer_feedback(
        feedback_id=feedback.pk, officer=world.reception, answer="A", idempotency_key="k-1"
    )
    again = services.answer_feedback(
        feedback_id=feedback.pk, officer=world.reception, answer="A", idempotency_key="k-1"
    )
    assert again.pk == first.pk and feedback.events.count() == 2


def test_the_log_is_append_only(world):
    from motcua.feedback.models import AppendOnlyError

    feedback, _code = send(world)
    event = feedback.events.get()
    event.comment = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_logged_in_sender_is_notified_of_each_step(world):
    feedback, _code = send(world, sender=world.other_citizen)
    services.request_information(feedback_id=feedback.pk, officer=world.reception, request="Cần thêm ảnh chụp.")
    services.reply_with_information(code=_code, content="Đã gửi ảnh.", actor=world.other_citizen)
    services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="Đã xử lý.")
    titles = list(Notification.objects.filter(user=world.other_citizen).values_list("title", flat=True))
    assert len(titles) == 2 and all(title.startswith("Phản ánh") or title.startswith("Cơ quan") for title in titles)
    assert feedback.events.get(kind="reply").actor == world.other_citizen


# ----- the sender's rating of the answer -----------------------------------------------------------------------------


def test_the_sender_rates_the_answer_and_may_change_it_within_the_window(world):
    feedback, code = send(world)
    with pytest.raises(FeedbackNotAllowed):
        services.rate_answer(code=code, level="satisfied")
    services.answer_feedback(feedback_id=feedback.pk, officer=world.reception, answer="A", now=at(2026, 11, 26, 10))
    services.rate_answer(code=code, level="not_satisfied", now=at(2026, 11, 27, 10))
    assert services.rate_answer(code=code, level="not_satisfied", now=at(2026, 11, 27, 11)) is None
    services.rate_answer(code=code, level="satisfied", comment="Đã rõ.", now=at(2026, 12, 27, 10))
    with pytest.raises(FeedbackNotAllowed, match="chốt"):
        services.rate_answer(code=code, level="very_satisfied", now=at(2026, 12, 27, 10, 1))
    feedback.refresh_from_db()
    assert (feedback.sender_rating, feedback.sender_rating_comment) == ("satisfied", "Đã rõ.")
    assert feedback.events.filter(kind=FeedbackEventKind.RATE).count() == 2
    with pytest.raises(NotFound):
        services.rate_answer(code="AAAA-BBBB-CCCC", level="satisfied")


# ----- the counts of the index ---------------------------------------------------------------------------------------


def test_feedback_handling_between(world):
    december = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    answered_on_time, _c = send(world, now=at(2026, 11, 30, 9))
    answered_late, _c = send(world, now=at(2026, 11, 9, 9))  # answer due 1/12
    refused, _c = send(world, now=at(2026, 12, 1, 9))
    waiting, _c = send(world, now=at(2026, 12, 2, 9))
    overdue, _c = send(world, now=at(2026, 11, 2, 9))
    send(world, now=at(2027, 1, 4, 9))  # next period
    other, _c = send(None, agency_identifier=world.other_agency.identifier, now=at(2026, 12, 3, 9))
    services.answer_feedback(feedback_id=answered_on_time.pk, officer=world.reception, answer="A",
                             now=at(2026, 12, 4, 9))  # fmt: skip
    services.publish_answer(feedback_id=answered_on_time.pk, officer=world.reception, public_question="Q",
                            public_answer="A", now=at(2026, 12, 9, 9))  # due 8/12  # fmt: skip
    services.answer_feedback(feedback_id=answered_late.pk, officer=world.reception, answer="A",
                             now=at(2026, 12, 2, 9))  # fmt: skip
    services.refuse_feedback(feedback_id=refused.pk, officer=world.reception, reason="R", now=at(2026, 12, 2, 9))
    services.request_information(feedback_id=waiting.pk, officer=world.reception, request="?", now=at(2026, 12, 3, 9))
    counts = queries.feedback_handling_between([world.agency.pk], *december)
    assert counts == {
        "received": 2, "refused": 1, "refused_on_time": 1, "info_requested": 1, "info_requested_on_time": 1,
        "answered": 2, "answered_on_time": 1, "published": 1, "published_on_time": 0, "rated": 0,
        "rated_satisfied": 0, "open_at_end": 2, "overdue_at_end": 1,
    }  # fmt: skip
    assert queries.feedback_handling_between([world.other_agency.pk], *december)["received"] == 1
    assert overdue.pk and other.pk
