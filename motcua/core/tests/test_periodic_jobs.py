"""Background work runs on the task engine: the periodic jobs are registered with the schedules intended
(huey's crontab is evaluated in UTC; Việt Nam is UTC+7)."""

import datetime as dt

import pytest
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True, scope="module")
def tasks_loaded():
    autodiscover_modules("tasks")  # what `manage.py run_huey` does when the worker starts


def utc(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 3, hour, minute)


def due_at(moment: dt.datetime) -> set[str]:
    return {task.name.rsplit(".", 1)[-1] for task in HUEY.read_periodic(moment)}


def test_the_outbox_relay_runs_every_minute():
    for minute in (0, 1, 17, 59):
        assert "relay_outbox" in due_at(utc(3, minute))


def test_the_nightly_jobs_run_once_a_night_in_vietnam():
    assert "purge_delivered_messages" in due_at(utc(20, 40))  # 03:40 in Việt Nam
    assert "sweep_orphan_files" in due_at(utc(19, 15))  # 02:15 in Việt Nam
    daily = {"purge_delivered_messages", "sweep_orphan_files"}
    runs = [
        moment for moment in (utc(0, 0) + dt.timedelta(minutes=m) for m in range(24 * 60)) if daily & due_at(moment)
    ]
    assert len(runs) == 2
