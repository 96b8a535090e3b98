"""Every change the applicant should know of becomes a notification, with an email sent after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.conftest import world  # noqa: F401  (fixture)
from motcua.dossiers.tests.factories import at
from motcua.notify.models import EmailStatus, Notification
from motcua.notify.services import mark_read, send_all_pending_emails


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


def test_a_failed_email_stays_pending_and_is_retried(world, dossier, settings, monkeypatch):  # noqa: F811
    import motcua.notify.services as notify_services

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(notify_services, "send_mail", broken)
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING)
    assert pending.count() == 1
    assert send_all_pending_emails() == 0 and pending.get().email_attempts == 1
    monkeypatch.undo()
    assert send_all_pending_emails() == 1
    assert not Notification.objects.filter(email_status=EmailStatus.PENDING).exists()


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
