"""Feedback test fixtures: the dossiers' small world (a commune's one-stop desk and officers, an officer of
another agency, two citizens, birth registration), the feedback rules, and dossiers brought to their end
(result returned, processing stopped) through the real services."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.catalog.models import AgencyKind
from motcua.catalog.tests.factories import AgencyFactory
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at, build_world
from motcua.feedback import defaults


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def pki_dir(settings, tmp_path):
    """Approval signs the result: keys and certificates of a test live in its own directory, never in var/."""
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    defaults.ensure()  # a transactional test before this one emptied the tables migrations filled
    return build_world()


@pytest.fixture
def centre(world):
    """The province's public service centre: where feedback goes that names no responsible agency."""
    return AgencyFactory(identifier="H17.99", name="Trung tâm Phục vụ hành chính công", kind=AgencyKind.SERVICE_CENTRE)


def filed(world, *, user=None, now=None) -> Dossier:
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(user), now=now or at(2026, 11, 23, 8, 30),
    )  # fmt: skip


def approved(world, *, user=None) -> Dossier:
    """Received, handed to the specialist, then to the leader, and approved (state 9, its result signed)."""
    dossier = filed(world, user=user)
    for actor, kind, now, extra in (
        (world.reception, K.RECEIVE, at(2026, 11, 23, 9), {}),
        (world.reception, K.HAND_OFF, at(2026, 11, 23, 10), {"assignee": world.specialist}),
        (world.specialist, K.HAND_OFF, at(2026, 11, 25, 10), {"assignee": world.leader}),
        (world.leader, K.APPROVE, at(2026, 11, 26, 9), {}),
    ):
        perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=now, **extra)
    dossier.refresh_from_db()
    return dossier


def returned(world, *, user=None) -> Dossier:
    """Approved, then its result returned at the desk (state 10) on 27/11/2026."""
    dossier = approved(world, user=user)
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.RETURN_RESULT, now=at(2026, 11, 27, 9))
    dossier.refresh_from_db()
    return dossier


def stopped(world) -> Dossier:
    dossier = filed(world)
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 23, 9))
    perform_action(
        dossier_code=dossier.code, actor=world.leader, kind=K.STOP, comment="Hồ sơ không đủ điều kiện.",
        now=at(2026, 11, 24, 9),
    )  # fmt: skip
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def returned_dossier(world) -> Dossier:
    return returned(world)
