"""Back-office test fixtures: the dossiers' small world (one commune's one-stop desk and officers, another
agency, two citizens, birth registration in four steps), dossiers filed through the real services, and
logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def file_dossier(world, *, user=None, now=None):
    """A dossier filed online by the owner (state 1), now."""
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(user), now=now or timezone.now(),
    )  # fmt: skip


def act(dossier, actor, kind, **kwargs):
    action = perform_action(dossier_code=dossier.code, actor=actor, kind=kind, **kwargs)
    dossier.refresh_from_db()
    return action


@pytest.fixture
def dossier(world):
    return file_dossier(world)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_reception(world):
    return client_for(world.reception)
