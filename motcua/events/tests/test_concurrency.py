"""Workers racing for the same messages, on real threads and connections: each message is delivered once
(row locks with SKIP LOCKED and a conditional claim on PostgreSQL; the write lock on SQLite)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from huey.contrib.djhuey import HUEY

from motcua.core.testing import run_together
from motcua.events import delivery, services
from motcua.events.models import OutboxMessage
from motcua.events.tests.test_outbox import calls

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def queued_not_run(monkeypatch):
    """Wake-ups stay in the queue (in tests the engine otherwise delivers at commit): the workers here race."""
    monkeypatch.setattr(HUEY, "immediate", False)
    calls.clear()


def test_four_workers_relaying_at_once_deliver_each_message_once():
    with transaction.atomic():
        for n in range(15):
            services.enqueue(handler="tests.create_group", payload={"name": f"nhóm {n}"})
            services.enqueue(handler="tests.call_outside", payload={"n": n})
    results = run_together([delivery.relay_due] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.get("delivered", 0) for r in results) == 30
    assert sorted(call["n"] for call in calls) == list(range(15))
    assert Group.objects.count() == 15
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("delivered", 1)}


def test_the_same_message_delivered_by_two_workers_at_once_runs_once():
    with transaction.atomic():
        outside = services.enqueue(handler="tests.call_outside", payload={"n": 1})
        inside = services.enqueue(handler="tests.create_group", payload={"name": "một lần"})
    for message in (outside, inside):
        results = run_together([lambda m=message: delivery.deliver(message_id=m.pk)] * 3)
        assert sorted(r.status for r in results) == ["delivered", "skipped", "skipped"], results
    assert calls == [{"n": 1}] and Group.objects.filter(name="một lần").count() == 1
