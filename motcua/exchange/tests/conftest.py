"""Exchange test fixtures: the dossier world (an agency and another one on this instance "48"), this instance's key
in a temporary file, and a runner that delivers what a write left in the outbox, as a worker would."""

import pytest

from motcua.dossiers.tests.factories import PDF_BYTES, build_world
from motcua.exchange.services import OutgoingDocument


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    return build_world()


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run a write, then what it queued in the outbox (the immediate task backend delivers it at once)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


def letter(name: str = "cong-van-123.pdf", body: bytes = PDF_BYTES) -> OutgoingDocument:
    return OutgoingDocument(name=name, media_type="application/pdf", content=body)
