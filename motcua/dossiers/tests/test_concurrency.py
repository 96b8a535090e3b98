"""Concurrent writes, with real threads and real connections: gap-free codes, one winner per dossier.

Meant for PostgreSQL (row locks); on SQLite the same tests check that the write lock serialises them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from motcua.core.testing import run_together
from motcua.dossiers.errors import ActionNotAllowed, DossierConflict
from motcua.dossiers.models import ActionKind, Dossier, DossierAction
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at, build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def test_concurrent_submissions_get_distinct_gap_free_codes(world):
    files = [world.required_files() for _ in range(8)]

    def submitter(index: int) -> Callable[[], Dossier]:
        return lambda: submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=files[index], now=at(2026, 11, 23, 9, index),
        )  # fmt: skip

    results = run_together([submitter(index) for index in range(8)])
    assert not [result for result in results if isinstance(result, Exception)], results
    numbers = sorted(int(dossier.code.rsplit("-", 1)[1]) for dossier in results)
    assert numbers == list(range(1, 9))


def test_concurrent_submissions_with_one_key_make_one_dossier(world):
    files = world.required_files()

    def submitter() -> Dossier:
        return submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=files, idempotency_key="double-click", now=at(2026, 11, 23, 9),
        )  # fmt: skip

    results = run_together([submitter, submitter, submitter])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert len({dossier.pk for dossier in results}) == 1
    assert Dossier.objects.count() == 1 and DossierAction.objects.count() == 1


def test_two_officers_acting_at_once_one_wins(world):
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8),
    )  # fmt: skip
    second_receptionist = __import__("motcua.dossiers.tests.factories", fromlist=["make_officer"]).make_officer(
        "tiepnhan2", world.agency, "reception"
    )

    def receive(officer) -> Callable[[], object]:
        return lambda: perform_action(
            dossier_code=dossier.code, actor=officer, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 9),
            expected_revision=dossier.revision,
        )  # fmt: skip

    def refuse() -> object:
        return perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REFUSE, now=at(2026, 11, 23, 9),
            comment="Sai thẩm quyền", expected_revision=dossier.revision,
        )  # fmt: skip

    results = run_together([receive(world.reception), receive(second_receptionist), refuse])
    winners = [result for result in results if isinstance(result, DossierAction)]
    losers = [result for result in results if isinstance(result, DossierConflict | ActionNotAllowed)]
    assert len(winners) == 1 and len(losers) == 2, results
    assert all("người khác" in loser.message for loser in losers)
    assert list(Dossier.objects.get(pk=dossier.pk).actions.values_list("seq", flat=True)) == [1, 2]
