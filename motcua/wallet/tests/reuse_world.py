"""Fixtures of the reuse world, shared by the wallet's and the portal's tests (imported by their conftest.py).

Hoa's birth registration is approved through the real flow (received, handed off, approved and signed), so her
warehouse holds a verified birth certificate; "Cấp thẻ căn cước" asks for that certificate and pre-fills from it.
"""

from __future__ import annotations

import pytest

from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.wallet import prefill, queries, services
from motcua.wallet.models import WalletDocumentKind

ID_CARD = {
    "code": "2.000200",
    "name": "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
    "result_name": "Thẻ căn cước",
    "result_document_type": "the-can-cuoc",
    "components": [{"name": "Giấy khai sinh", "originals": 1, "document_type": "giay-khai-sinh"}],
    "form": {
        "fields": [
            {"key": "full_name", "label": "Họ, chữ đệm và tên", "type": "text", "required": True,
             "prefill": "document.giay-khai-sinh.form_data.child_name"},
            {"key": "birth_date", "label": "Ngày sinh", "type": "date", "required": True,
             "prefill": "document.giay-khai-sinh.form_data.birth_date"},
            {"key": "national_id", "label": "Số định danh cá nhân", "type": "national_id", "required": True,
             "prefill": "profile.citizen_id"},
            {"key": "phone", "label": "Số điện thoại", "type": "phone", "required": False, "prefill": "profile.phone"},
        ]
    },
}  # fmt: skip


@pytest.fixture
def test_pki(settings, tmp_path):
    """The agency's signing keys and certificates live in the test's own directory, never in var/."""
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []


@pytest.fixture
def birth_certificate(world, test_pki):
    """Hoa's birth registration, approved and signed: the result is in her warehouse."""
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
    return queries.wallet_documents(world.owner).get(kind=WalletDocumentKind.ISSUED)


@pytest.fixture
def id_card(world):
    version = publish_procedure(**ID_CARD)
    version.procedure.agencies.add(world.agency)
    return version


def consent(user):
    services.give_consent(subject=user, purpose_code=prefill.REUSE_PURPOSE)
