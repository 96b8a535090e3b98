"""Accounts test fixtures: named users made through the real services, a fixed clock for one-time codes,
and a clean login throttle for every test (it lives in the process-wide cache)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.accounts import services, totp
from motcua.accounts.models import User
from motcua.catalog.models import OfficerRole
from motcua.catalog.tests.factories import AgencyFactory

PASSWORD = "Hoa-sen-no-2026"
LAN_CITIZEN_ID = "048095001234"
LAN_PHONE = "0905123456"
MINH_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OPERATOR_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's test key, "12345678901234567890"
# 2026-11-19 10:00:15 +07:00, 15 s into a 30-second step.
FIXED_TIME = 1795057215.0


@pytest.fixture(autouse=True)
def clean_throttle():
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Stands in for totp.now: codes are computed and checked at `self.time`."""

    def __init__(self, start: float):
        self.time = start

    def __call__(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds

    def code(self, secret: str, *, offset_steps: int = 0) -> str:
        return totp.code_at(secret, at=self.time + offset_steps * totp.STEP_SECONDS)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock(FIXED_TIME)
    monkeypatch.setattr(totp, "now", fixed)
    return fixed


@pytest.fixture
def lan(db):
    """Nguyễn Thị Lan, a citizen of Đà Nẵng with an account."""
    return services.register_citizen(
        full_name="Nguyễn Thị Lan", citizen_id=LAN_CITIZEN_ID, password=PASSWORD, phone=LAN_PHONE
    )


@pytest.fixture
def hai_chau_pc(db):
    return AgencyFactory(identifier="H17.80.01", name="Ủy ban nhân dân phường Hải Châu")


@pytest.fixture
def minh(db, hai_chau_pc):
    """Trần Văn Minh, a one-stop-desk officer at Hải Châu ward whose authenticator is already enrolled."""
    return services.create_officer(
        username="minh.tv",
        full_name="Trần Văn Minh",
        password=PASSWORD,
        memberships=[(hai_chau_pc, OfficerRole.RECEPTION), (hai_chau_pc, OfficerRole.SPECIALIST)],
        otp_secret=MINH_SECRET,
    )


@pytest.fixture
def hoa(db, hai_chau_pc):
    """Lê Thị Hoa, a new officer who has not enrolled an authenticator yet."""
    return services.create_officer(
        username="hoa.lt",
        full_name="Lê Thị Hoa",
        password=PASSWORD,
        memberships=[(hai_chau_pc, OfficerRole.LEADER)],
    )


@pytest.fixture
def quantri(db):
    """The system operator (superuser) `quantri`, whose authenticator is already enrolled."""
    operator = User.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD)
    services.enrol_totp(user=operator, secret=OPERATOR_SECRET, confirmed=True)
    return operator
