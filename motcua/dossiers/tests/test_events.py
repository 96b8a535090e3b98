"""Every action appended to a dossier's log is published through the outbox to whoever subscribes (the index
roll-ups, the national-portal sync): after commit, once per action, never for a rolled-back one."""

import pytest
from django.db import transaction

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, record_view, submit_dossier
from motcua.dossiers.signals import ACTION_RECORDED
from motcua.dossiers.tests.factories import at
from motcua.events import registry
from motcua.events.models import OutboxMessage

seen: list[dict] = []


@registry.handler("tests.dossier_action_seen")
def action_seen(payload: dict) -> None:
    seen.append(payload)


@pytest.fixture
def subscribed(monkeypatch):
    """A subscriber to dossier actions for the length of one test (the registry is process-wide)."""
    seen.clear()
    monkeypatch.setitem(registry._subscribers, ACTION_RECORDED, ["tests.dossier_action_seen"])


def test_each_action_reaches_subscribers_once_after_commit(world, subscribed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), now=at(2026, 11, 23, 9),
        )  # fmt: skip
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10)
        )
    actions = list(dossier.actions.order_by("seq"))
    assert seen == [
        {"action": action.pk, "dossier": dossier.code, "kind": action.kind, "to_state": action.to_state}
        for action in actions
    ]
    assert [a.kind for a in actions] == [ActionKind.SUBMIT, ActionKind.RECEIVE]
    assert set(OutboxMessage.objects.filter(handler="tests.dossier_action_seen").values_list("status", "attempts")) == {
        ("delivered", 1)
    }


def test_a_rolled_back_action_publishes_nothing(world, subscribed):
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 9),
    )  # fmt: skip
    queued = OutboxMessage.objects.filter(handler="tests.dossier_action_seen")
    assert queued.count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10)
        )
        raise RuntimeError("crash before commit")
    assert queued.count() == 1


def test_each_action_queues_one_message_per_subscriber_and_a_read_none(world):
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 9),
    )  # fmt: skip
    queued = OutboxMessage.objects.exclude(handler="notify.send_email")
    # The index follows, the national-portal connector (which records nothing while sync is off), and the exchange
    # (which sends a dossier moved to another agency's step).
    assert sorted(queued.values_list("handler", flat=True)) == [
        "exchange.forward_partner_step", "metrics.refresh_dossier_fact", "sync.record_changes",
    ]  # fmt: skip
    record_view(dossier=dossier, officer=world.reception, now=at(2026, 11, 23, 10))
    assert queued.count() == 3  # a read is logged but changes nothing downstream
