"""Wallet test fixtures: the reuse world (reuse_world.py) and a dossier world of their own."""

import pytest

from motcua.dossiers.tests.factories import build_world
from motcua.wallet import defaults
from motcua.wallet.tests.reuse_world import birth_certificate, id_card, test_pki  # noqa: F401


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    defaults.ensure()  # a transactional test before this one emptied the tables migrations filled
    return build_world()
