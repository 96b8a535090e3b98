"""Every change the applicant should know of becomes a notification, with an email sent after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.conftest import world  # noqa: F401  (fixture)
from motcua.dossiers.tests.factories import at
from motcua.events.delivery import relay_due
from motcua.events.models import OutboxMessage
from motcua.notify.models import EmailStatus, Notification
from motcua.notify.services import mark_read


@pytest.fixture
def dossier(world, django_capture_on_commit_callbacks):  # noqa: F811
    world.owner.email = "hoa@example.vn"
    world.owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        return submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), now=at(2026, 11, 23, 9),
        )  # fmt: skip


def test_submission_and_state_changes_notify_the_applicant_by_email(world, dossier, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10)
        )
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REQUEST_SUPPLEMENT,
            now=at(2026, 11, 23, 11), missing=["Giấy chứng sinh bản chính"],
        )  # fmt: skip
    titles = list(Notification.objects.filter(user=world.owner).order_by("pk").values_list("title", flat=True))
    assert titles == [
        f"Hồ sơ {dossier.code}: Mới đăng ký",
        f"Hồ sơ {dossier.code}: Được tiếp nhận",
        f"Hồ sơ {dossier.code}: Yêu cầu bổ sung giấy tờ",
    ]
    received = Notification.objects.get(title__endswith="Được tiếp nhận")
    # Received Monday 23/11; 24/11 is a holiday; 3 working days → Friday 27/11.
    assert "Hẹn trả kết quả: 17:00 27/11/2026." in received.body
    assert "- Giấy chứng sinh bản chính" in Notification.objects.get(title__endswith="bổ sung giấy tờ").body
    assert [message.to for message in mail.outbox] == [["hoa@example.vn"]] * 3
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}


def test_internal_moves_do_not_notify(world, dossier):  # noqa: F811
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    before = Notification.objects.count()
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.HAND_OFF, now=at(2026, 11, 23, 11),
        assignee=world.specialist,
    )  # fmt: skip
    assert Notification.objects.count() == before


def test_a_failed_email_is_retried_from_the_outbox(world, dossier, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    def mail_server_down(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", mail_server_down)
    with django_capture_on_commit_callbacks(execute=True):
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10)
        )
    received = Notification.objects.get(title__endswith="Được tiếp nhận")
    assert received.email_status == EmailStatus.PENDING
    message = OutboxMessage.objects.get(key=f"notification:{received.pk}")
    assert (message.status, message.attempts) == ("pending", 1)
    assert "mail server down" in message.last_error and message.available_at > timezone.now()

    monkeypatch.undo()
    assert relay_due() == {}  # not due before its backoff
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())  # the backoff has passed
    assert relay_due() == {"delivered": 1}
    received.refresh_from_db()
    assert received.email_status == EmailStatus.SENT
    assert [m.subject for m in mail.outbox].count(received.title) == 1
    assert relay_due() == {}  # delivered once


def test_an_email_given_up_on_is_marked_failed_for_the_operator(world, dossier, monkeypatch, settings):  # noqa: F811
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 2

    def mail_server_down(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", mail_server_down)
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    received = Notification.objects.get(title__endswith="Được tiếp nhận")
    for _ in range(2):
        OutboxMessage.objects.filter(status="pending").update(available_at=timezone.now())
        relay_due()
    message = OutboxMessage.objects.get(key=f"notification:{received.pk}")
    assert (message.status, message.attempts) == ("dead", 2)
    received.refresh_from_db()
    assert received.email_status == EmailStatus.FAILED


def test_a_rolled_back_action_leaves_no_notification(world, dossier):  # noqa: F811
    from motcua.dossiers.errors import DossierInvalid

    before = Notification.objects.count()
    with pytest.raises(DossierInvalid):
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REFUSE, now=at(2026, 11, 23, 10)
        )
    assert Notification.objects.count() == before


def test_mark_read(world, dossier):  # noqa: F811
    assert mark_read(user=world.owner) == 1
    assert mark_read(user=world.owner) == 0
