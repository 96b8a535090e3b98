"""Form downloads: the applicant gets 01–05, the agency's officers everything, nobody else anything."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at


@pytest.fixture
def received(world):
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 9),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 10))
    return dossier


def get(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "who, number, status",
    [
        ("owner", "01", 200),
        ("owner", "06", 404),
        ("reception", "01", 200),
        ("reception", "06", 200),
        ("reception", "03", 404),  # never refused
        ("other_citizen", "01", 404),
        ("other_officer", "01", 404),
        (None, "01", 404),
        ("reception", "99", 404),
    ],
)
def test_dossier_form_checks_ownership(world, received, who, number, status):
    response = get(getattr(world, who) if who else None, f"/forms/dossiers/{received.code}/{number}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_register_is_for_the_agency_officers_only(world, received):
    url = "/forms/register/H17.20.194.pdf?from=2026-11-01&to=2026-11-30"
    assert get(world.reception, url).content.startswith(b"%PDF")
    assert get(world.other_officer, url).status_code == 404
    assert get(world.owner, url).status_code == 404
    assert get(world.reception, "/forms/register/H17.20.194.pdf?from=2026-13-01").status_code == 400
    assert get(world.reception, "/forms/register/H17.20.194.pdf?from=2026-11-30&to=2026-11-01").status_code == 400
