"""The outbox: a message exists exactly when its change commits, is delivered once, and is retried with backoff
until it succeeds or is given up on for an operator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from motcua.events import delivery, queries, services
from motcua.events.models import OutboxMessage
from motcua.events.registry import handler, subscribers

# Handlers the tests use: one that only writes to the database (a group named by the payload), one that
# "reaches outside" (records calls in a list), and one that always fails.
calls: list[dict] = []
given_up: list[dict] = []


@handler("tests.create_group", subscribes_to=("tests.group_wanted",))
def create_group(payload: dict) -> None:
    Group.objects.create(name=payload["name"])


@handler("tests.call_outside", transactional=False, subscribes_to=("tests.group_wanted",))
def call_outside(payload: dict) -> None:
    calls.append(payload)


@handler("tests.broken", on_dead=given_up.append)
def broken(payload: dict) -> None:
    Group.objects.create(name=payload["name"])  # written, then rolled back with the failure
    raise ConnectionError("the other side is down")


@pytest.fixture(autouse=True)
def clean_records():
    calls.clear()
    given_up.clear()


def make_due(*, message: OutboxMessage | None = None) -> None:
    """Time passes: the backoff of the waiting message(s) is over."""
    waiting = OutboxMessage.objects.filter(status="pending")
    if message is not None:
        waiting = waiting.filter(pk=message.pk)
    waiting.update(available_at=timezone.now() - dt.timedelta(seconds=1))


def test_enqueue_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.enqueue(handler="tests.create_group", payload={"name": "x"})
    assert not OutboxMessage.objects.exists()


def test_an_unknown_handler_fails_the_change_at_once(db):
    with pytest.raises(LookupError), transaction.atomic():
        services.enqueue(handler="tests.no_such_handler", payload={})


def test_a_rolled_back_change_queues_nothing_and_sends_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            services.enqueue(handler="tests.call_outside", payload={"n": 1})
            raise ZeroDivisionError("the change fails after queueing")
    assert callbacks == [] and calls == []
    assert not OutboxMessage.objects.exists()


def test_a_committed_message_is_delivered_once_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        message = services.enqueue(handler="tests.create_group", payload={"name": "Tiếp nhận"})
    assert not Group.objects.exists()  # nothing runs before commit
    for callback in callbacks:
        callback()  # the commit wakes the worker (immediate in tests)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.locked_until) == ("delivered", 1, None)
    assert Group.objects.filter(name="Tiếp nhận").count() == 1
    assert delivery.deliver(message_id=message.pk) == delivery.SKIPPED
    assert delivery.relay_due() == {}
    assert Group.objects.count() == 1


def test_the_same_key_is_queued_once(db):
    with transaction.atomic():
        first = services.enqueue(handler="tests.call_outside", payload={"n": 1}, key="action:7")
        again = services.enqueue(handler="tests.call_outside", payload={"n": 1}, key="action:7")
        other = services.enqueue(handler="tests.create_group", payload={"name": "g"}, key="action:7")
    assert first.pk == again.pk != other.pk
    assert OutboxMessage.objects.count() == 2


def test_an_event_reaches_every_subscriber(db):
    assert subscribers("tests.group_wanted") == ["tests.create_group", "tests.call_outside"]
    with transaction.atomic():
        messages = services.publish(event="tests.group_wanted", payload={"name": "Một cửa"}, key="1")
    assert sorted(m.handler for m in messages) == ["tests.call_outside", "tests.create_group"]
    assert delivery.relay_due() == {"delivered": 2}
    assert calls == [{"name": "Một cửa"}] and Group.objects.filter(name="Một cửa").exists()
    assert services.publish(event="tests.nobody_listens", payload={}) == []


def test_a_failing_handler_leaves_nothing_half_written_and_is_retried_with_backoff(db, settings):
    settings.MOTCUA_OUTBOX_RETRY_BASE_SECONDS = 10
    with transaction.atomic():
        message = services.enqueue(handler="tests.broken", payload={"name": "half"})
    before = timezone.now()
    outcome = delivery.deliver(message_id=message.pk)
    message.refresh_from_db()
    assert outcome.status == "failed" and 8 <= outcome.retry_in <= 12
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionError: the other side is down" in message.last_error
    assert before + dt.timedelta(seconds=7) < message.available_at < timezone.now() + dt.timedelta(seconds=13)
    assert not Group.objects.filter(name="half").exists()
    assert delivery.relay_due() == {}  # not due again before its backoff
    make_due()
    assert delivery.relay_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.attempts == 2


def test_backoff_doubles_up_to_its_cap(settings):
    settings.MOTCUA_OUTBOX_RETRY_BASE_SECONDS = 10
    settings.MOTCUA_OUTBOX_RETRY_MAX_SECONDS = 300
    for attempts, expected in ((1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (30, 300)):
        assert expected * 0.8 <= delivery.backoff_seconds(attempts) <= expected * 1.2


def test_a_message_is_given_up_after_its_last_attempt_and_an_operator_can_retry_it(
    db, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 3
    with transaction.atomic():
        message = services.enqueue(handler="tests.broken", payload={"name": "dead"})
    for _ in range(3):
        make_due()
        delivery.relay_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert given_up == [{"name": "dead"}]
    assert queries.outbox_summary()["dead"] == 1 and queries.outbox_backlog() == 0
    make_due()
    assert delivery.relay_due() == {}  # dead messages are not retried by themselves

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_dead(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)  # retried at once (immediate in tests)


def test_a_message_held_by_a_killed_worker_is_delivered_when_its_lease_runs_out(db):
    with transaction.atomic():
        message = services.enqueue(handler="tests.call_outside", payload={"n": 9})
    # A worker claimed it and was killed before finishing: the lease still runs.
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, locked_until=timezone.now() + dt.timedelta(seconds=60)
    )
    assert delivery.relay_due() == {}
    assert calls == []
    OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert delivery.relay_due() == {"delivered": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, calls) == ("delivered", 2, [{"n": 9}])


def test_a_message_whose_handler_is_unknown_is_dead_at_once(db):
    now = timezone.now()
    message = OutboxMessage.objects.create(handler="sync.removed_handler", payload={}, created_at=now, available_at=now)
    assert delivery.relay_due() == {"dead": 1}
    message.refresh_from_db()
    assert message.status == "dead" and "sync.removed_handler" in message.last_error


def test_purge_deletes_only_old_delivered_messages(db):
    now = timezone.now()
    old = now - dt.timedelta(days=30)
    OutboxMessage.objects.create(
        handler="tests.call_outside", created_at=old, available_at=old, status="delivered", delivered_at=old
    )
    OutboxMessage.objects.create(handler="tests.call_outside", created_at=old, available_at=old, status="dead")
    recent = OutboxMessage.objects.create(
        handler="tests.call_outside", created_at=now, available_at=now, status="delivered", delivered_at=now
    )
    assert delivery.purge_delivered(older_than=dt.timedelta(days=14)) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"dead", "delivered"}
    assert OutboxMessage.objects.filter(status="delivered").get() == recent
