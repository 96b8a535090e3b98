"""Sync test fixtures: the dossier world, this instance's key in a temporary file, and a runner that delivers what
a write left in the outbox (the immediate task backend), as a worker would."""

import pytest

from motcua.dossiers.tests.factories import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    settings.MOTCUA_SYNC_CONNECTOR = "loopback"
    return build_world()


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run
