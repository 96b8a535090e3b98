"""Submit once: a signed result lands in the warehouse, and the next procedure reuses it and its data.

The world: Hoa's birth registration is approved (the real flow: received, handed off, approved and signed), so
her warehouse holds a verified birth certificate. "Cấp thẻ căn cước" then asks for that certificate and pre-fills
her name, birth date and sex from it, and her ID number and phone from her account.
"""

from __future__ import annotations

import pytest

from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.models import ComponentSource
from motcua.dossiers.services import record_view, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.signing.services import revoke_result
from motcua.wallet import prefill, queries
from motcua.wallet.models import AccessorKind, WalletDocumentKind
from motcua.wallet.tests.reuse_world import ID_CARD, consent


def verified_form(world) -> dict:
    return {"full_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "national_id": world.owner.citizen_id}


def test_an_approved_result_lands_in_the_warehouse_verified(world, birth_certificate):
    assert birth_certificate.is_verified
    assert birth_certificate.issuer == world.agency
    assert birth_certificate.document_type.code == "giay-khai-sinh"
    assert birth_certificate.data["form_data"]["child_name"] == "Nguyễn Văn An"
    # Nobody else's warehouse holds it.
    assert not queries.wallet_documents(world.other_citizen).exists()


def test_a_revoked_result_is_no_longer_verified_in_the_warehouse(world, birth_certificate):
    result = birth_certificate.document.issued_result
    revoke_result(result=result, reason="Ghi sai ngày sinh", by=world.leader)
    birth_certificate.refresh_from_db()
    assert not birth_certificate.is_verified
    consent(world.owner)
    assert prefill.verified_values(world.owner, ID_CARD["form"]) == {}


def test_without_consent_only_what_agencies_issued_is_prefilled(world, birth_certificate, id_card):
    values = prefill.prefill(world.owner, id_card.form_schema)
    assert {key: value.verified for key, value in values.items()} == {"full_name": True, "birth_date": True}


def test_the_form_is_prefilled_from_the_profile_and_the_verified_document(world, birth_certificate, id_card):
    consent(world.owner)
    values = prefill.prefill(world.owner, id_card.form_schema)
    assert {key: (value.value, value.verified) for key, value in values.items()} == {
        "full_name": ("Nguyễn Văn An", True),
        "birth_date": ("2026-11-20", True),
        "national_id": (world.owner.citizen_id, False),
    }  # no phone on Hoa's account: nothing to pre-fill
    assert values["full_name"].document_id == str(birth_certificate.pk)


def test_a_submission_with_zero_uploads_reuses_the_verified_document(world, birth_certificate, id_card):
    consent(world.owner)
    dossier = submit_dossier(
        applicant=world.owner, version=id_card, agency=world.agency, form_data=verified_form(world), files={}
    )
    [component] = dossier.components.all()
    assert component.source == ComponentSource.REUSED
    assert component.document_id == birth_certificate.document_id
    submitted = dossier.actions.get(kind=K.SUBMIT)
    assert submitted.data["verified_fields"] == {
        "full_name": str(birth_certificate.pk),
        "birth_date": str(birth_certificate.pk),
    }
    assert submitted.data["reused_documents"] == [str(birth_certificate.document_id)]


def test_tampering_with_a_prefilled_verified_value_is_rejected(world, birth_certificate, id_card):
    consent(world.owner)
    tampered = {**verified_form(world), "birth_date": "2000-01-01"}
    with pytest.raises(DossierInvalid) as refused:
        submit_dossier(applicant=world.owner, version=id_card, agency=world.agency, form_data=tampered, files={})
    assert set(refused.value.errors) == {"form.birth_date"}
    assert "đã xác thực" in refused.value.errors["form.birth_date"]
    assert not world.owner.dossiers.filter(procedure_version=id_card).exists()  # nothing half-written


def test_a_profile_value_may_be_changed(world, birth_certificate, id_card):
    consent(world.owner)
    form = {**verified_form(world), "national_id": world.other_citizen.citizen_id}
    dossier = submit_dossier(applicant=world.owner, version=id_card, agency=world.agency, form_data=form, files={})
    assert dossier.form_data["national_id"] == world.other_citizen.citizen_id


def test_the_issued_certificate_is_never_asked_for_again_even_without_consent(world, birth_certificate, id_card):
    dossier = submit_dossier(
        applicant=world.owner, version=id_card, agency=world.agency, form_data=verified_form(world), files={}
    )
    assert dossier.components.get().document_id == birth_certificate.document_id


def test_an_uploaded_paper_is_kept_for_the_next_filing_unverified(world, id_card):
    # The birth registration's "Giấy chứng sinh" has a type: uploaded once, it is in Hoa's warehouse after.
    version = publish_procedure(
        code="1.004884", name="Đăng ký lại khai sinh",
        components=[{"name": "Giấy chứng sinh", "originals": 1, "document_type": "giay-chung-sinh"}],
    )  # fmt: skip
    version.procedure.agencies.add(world.agency)
    upload = world.upload()
    typed = world.version.components.get(document_type__code="giay-chung-sinh")
    first = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files={**world.required_files(), typed.pk: [upload]},
    )  # fmt: skip
    [kept] = queries.wallet_documents(world.owner)  # the untyped declaration form is not kept: nothing asks for it
    assert (kept.kind, kept.document_id, kept.is_verified) == (WalletDocumentKind.UPLOADED, upload.pk, False)
    assert {c.source for c in first.components.all()} == {ComponentSource.UPLOAD}

    requirement = version.components.get()
    assert queries.offers_for(world.owner, [requirement]) == {requirement.pk: [kept]}
    second = submit_dossier(
        applicant=world.owner, version=version, agency=world.agency, form_data=world.form,
        files={requirement.pk: [kept.document]},
    )  # fmt: skip
    assert second.components.get().source == ComponentSource.REUSED


def test_another_citizens_warehouse_document_cannot_be_attached(world, birth_certificate, id_card):
    requirement = id_card.components.get()
    with pytest.raises(DossierInvalid) as refused:
        submit_dossier(
            applicant=world.other_citizen, version=id_card, agency=world.agency,
            form_data={**verified_form(world), "national_id": world.other_citizen.citizen_id},
            files={requirement.pk: [birth_certificate.document]},
        )  # fmt: skip
    assert refused.value.errors == {f"components.{requirement.pk}": "Tài liệu không thuộc về bạn."}


def test_an_officer_reading_the_dossier_is_in_the_owners_access_log(world, birth_certificate):
    dossier = birth_certificate.document.issued_result.dossier
    record_view(dossier=dossier, officer=world.specialist, now=at(2026, 11, 26, 10))
    [entry] = queries.access_log(world.owner)
    assert (entry.accessor_kind, entry.accessor, entry.accessor_agency) == (
        AccessorKind.OFFICER, world.specialist, world.agency,
    )  # fmt: skip
    assert entry.reference == dossier.code
    assert not queries.access_log(world.other_citizen).exists()
