"""Portal test fixtures: the dossier world (a commune's one-stop desk, its officers, an officer of another
agency, two citizens, birth registration) and a clean cache (the lookup throttle lives there)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.dossiers.services import submit_dossier
from motcua.dossiers.tests.factories import build_world
from motcua.wallet import defaults
from motcua.wallet.tests.reuse_world import birth_certificate, id_card, test_pki  # noqa: F401  (the reuse world)


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    defaults.ensure()  # a transactional test before this one emptied the tables migrations filled
    return build_world()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def submit(world, *, user=None, files=None, key=None):
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=files if files is not None else world.required_files(user), idempotency_key=key,
    )  # fmt: skip


@pytest.fixture
def dossier(world):
    return submit(world)
