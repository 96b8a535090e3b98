"""The failed-login throttle on its own: counts, locks, expiry, scopes."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from motcua.accounts import throttle

IP = "203.0.113.7"


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": 1_800_000_000.0}
    monkeypatch.setattr(throttle, "now", lambda: moment["now"])
    return moment


def fail(times: int, *, identifier: str | None = "048095001234", ip: str | None = IP) -> bool:
    locked = False
    for _ in range(times):
        locked = throttle.record_failure(identifier=identifier, ip=ip)
    return locked


def test_five_failures_for_one_identifier_lock_it_for_fifteen_minutes(clock):
    assert fail(4) is False
    assert not throttle.is_locked(identifier="048095001234", ip=IP)
    assert fail(1) is True
    assert throttle.is_locked(identifier="048095001234", ip="198.51.100.1")  # from anywhere
    assert throttle.minutes_left(identifier="048095001234", ip=None) == 15
    assert not throttle.is_locked(identifier="048095009999", ip="198.51.100.1")  # other accounts unaffected

    clock["now"] += 14 * 60 + 59
    assert throttle.minutes_left(identifier="048095001234", ip=None) == 1
    clock["now"] += 2
    assert not throttle.is_locked(identifier="048095001234", ip=None)
    assert fail(1) is False  # the count starts afresh after a lockout


def test_identifiers_are_counted_without_case_or_spaces(clock):
    fail(3, identifier="Minh.TV")
    fail(2, identifier=" minh.tv ")
    assert throttle.is_locked(identifier="minh.tv", ip=None)


def test_twenty_failures_from_one_address_lock_the_address(clock):
    for n in range(19):
        fail(1, identifier=f"user-{n}")
    assert not throttle.is_locked(identifier="someone-else", ip=IP)
    fail(1, identifier="user-19")
    assert throttle.is_locked(identifier="someone-else", ip=IP)
    assert not throttle.is_locked(identifier="someone-else", ip="198.51.100.1")


@override_settings(MOTCUA_LOGIN_FAILURES_PER_ACCOUNT=2, MOTCUA_LOGIN_LOCKOUT_SECONDS=60)
def test_limits_are_settings(clock):
    assert fail(2) is True
    assert throttle.minutes_left(identifier="048095001234", ip=IP) == 1


def test_a_successful_login_forgets_the_identifiers_failures(clock):
    fail(4)
    throttle.reset(identifier="048095001234")
    assert fail(4) is False


def test_cache_keys_do_not_hold_the_identifier():
    key = throttle._key("failures", "account", "048095001234")
    assert "048095001234" not in key


def test_client_ip_is_remote_addr_unless_a_trusted_header_is_configured():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert throttle.client_ip(request) == "10.0.0.2"
    with override_settings(MOTCUA_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR"):
        assert throttle.client_ip(request) == "203.0.113.7"  # the entry our proxy appended, not the client's
    with override_settings(MOTCUA_CLIENT_IP_HEADER="HTTP_X_REAL_IP"):
        assert throttle.client_ip(request) == "10.0.0.2"  # header missing: fall back
