"""Metrics test fixtures: the dossier world, and the signing keys of the reuse world (approvals sign)."""

import pytest

from motcua.dossiers.tests.factories import build_world
from motcua.wallet.tests.reuse_world import test_pki  # noqa: F401


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()
