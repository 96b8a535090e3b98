import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at, build_world


@pytest.fixture(autouse=True)
def pki_dir(settings, tmp_path):
    """Keys and certificates of a test live in its own directory, never in var/."""
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []
    return settings.MOTCUA_PKI_DIR


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


@pytest.fixture
def approved(world) -> Dossier:
    """A dossier received, handed to the specialist, then to the leader, and approved (state 9): the approval
    issued its signed result (signing.queries.result_in_force)."""
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip
    for actor, kind, now, extra in (
        (world.reception, K.RECEIVE, at(2026, 11, 23, 9), {}),
        (world.reception, K.HAND_OFF, at(2026, 11, 23, 10), {"assignee": world.specialist}),
        (world.specialist, K.HAND_OFF, at(2026, 11, 24, 10), {"assignee": world.leader}),
        (world.leader, K.APPROVE, at(2026, 11, 25, 9), {}),
    ):
        perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=now, **extra)
    dossier.refresh_from_db()
    return dossier
