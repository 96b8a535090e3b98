"""CKMB.4 from the sync records: of a period's dossier changes, the share the national portal has accepted —
counted as the changes are recorded and accepted, and the same when rebuilt from nothing."""

import datetime as dt
from decimal import Decimal as D

import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.metrics import measures as m
from motcua.metrics import queries, rollups, schemes, scoring
from motcua.metrics.models import DailyCount
from motcua.sync.models import RecordStatus, SyncRecord

pytestmark = pytest.mark.django_db
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_ckmb_counts_the_changes_the_national_portal_accepted(world, counted, settings):
    def file(when):
        return counted(
            submit_dossier, applicant=world.owner, version=world.version, agency=world.agency,
            form_data=world.form, files=world.required_files(), now=when,
        )  # fmt: skip

    first = file(at(2026, 11, 2, 9))
    counted(perform_action, dossier_code=first.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 10))
    settings.MOTCUA_SYNC_CONNECTOR, settings.MOTCUA_NATIONAL_URL = "motcua", "http://127.0.0.1:9"  # unreachable
    second = file(at(2026, 11, 3, 9))
    assert SyncRecord.objects.get(dossier=second).status == RecordStatus.PENDING

    values = queries.measures_for([world.agency.pk], *NOVEMBER)
    assert (values[m.SYNC_CHANGES], values[m.SYNC_CHANGES_ACCEPTED]) == (3, 2)
    result = scoring.score(schemes.scheme_in_force(NOVEMBER[1]), values)
    ckmb = result.indicator("CKMB.4")
    assert (ckmb.ratio, ckmb.points) == (D("0.67"), D("12.06"))  # the ratio rounded first (DOMAIN.md)
    assert result.group("CKMB").points == D("12.06")

    before = sorted(DailyCount.objects.values_list("agency_id", "day", "measure", "value"))
    rollups.rebuild()
    assert sorted(DailyCount.objects.values_list("agency_id", "day", "measure", "value")) == before
