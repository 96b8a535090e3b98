"""Drafts keep what was typed, resume anywhere, and become exactly one dossier."""

from __future__ import annotations

import pytest

from motcua.dossiers.errors import ActionNotAllowed, DossierInvalid
from motcua.dossiers.models import Dossier, Draft
from motcua.dossiers.services import attach_to_draft, detach_from_draft, save_draft, submit_draft
from motcua.dossiers.tests.factories import at


def test_a_draft_keeps_even_invalid_input_until_submission(world):
    draft = save_draft(applicant=world.owner, version=world.version, form_data={"child_name": "An", "birth_date": "xx"})
    draft = save_draft(
        applicant=world.owner, version=world.version, form_data=draft.form_data | {"sex": "nam"}, draft=draft
    )
    assert Draft.objects.get(pk=draft.pk).form_data == {"child_name": "An", "birth_date": "xx", "sex": "nam"}
    with pytest.raises(DossierInvalid) as invalid:
        submit_draft(draft=draft, applicant=world.owner)
    assert "agency" in invalid.value.errors
    draft = save_draft(
        applicant=world.owner, version=world.version, form_data=draft.form_data, agency=world.agency, draft=draft
    )
    with pytest.raises(DossierInvalid) as invalid:
        submit_draft(draft=draft, applicant=world.owner)
    assert "form.birth_date" in invalid.value.errors
    assert Draft.objects.filter(pk=draft.pk).exists() and not Dossier.objects.exists()


def test_a_complete_draft_is_submitted_once_and_disappears(world):
    draft = save_draft(applicant=world.owner, version=world.version, form_data=world.form, agency=world.agency)
    for requirement_id, documents in world.required_files().items():
        for document in documents:
            draft = attach_to_draft(
                draft=draft, applicant=world.owner, requirement_id=requirement_id, document=document
            )
    dossier = submit_draft(
        draft=draft, applicant=world.owner, idempotency_key="draft-submit-1", now=at(2026, 11, 23, 9)
    )
    again = submit_draft(draft=draft, applicant=world.owner, idempotency_key="draft-submit-1", now=at(2026, 11, 23, 9))
    assert again.pk == dossier.pk
    assert dossier.components.count() == 2 and not Draft.objects.exists()


def test_documents_can_be_removed_from_a_draft(world):
    draft = save_draft(applicant=world.owner, version=world.version, form_data={}, agency=world.agency)
    requirement = world.version.components.get(position=1)
    document = world.upload()
    draft = attach_to_draft(draft=draft, applicant=world.owner, requirement_id=requirement.pk, document=document)
    draft = detach_from_draft(
        draft=draft, applicant=world.owner, requirement_id=requirement.pk, document_id=str(document.pk)
    )
    assert draft.documents == {str(requirement.pk): []}


def test_nobody_else_touches_a_draft(world):
    draft = save_draft(applicant=world.owner, version=world.version, form_data={}, agency=world.agency)
    with pytest.raises(ActionNotAllowed):
        save_draft(applicant=world.other_citizen, version=world.version, form_data={"x": 1}, draft=draft)
    with pytest.raises(ActionNotAllowed):
        submit_draft(draft=draft, applicant=world.other_citizen)
    with pytest.raises(DossierInvalid):  # someone else's document
        attach_to_draft(
            draft=draft, applicant=world.owner, requirement_id=world.version.components.get(position=1).pk,
            document=world.upload(world.other_citizen),
        )  # fmt: skip
