"""Files written for a transaction that rolled back are swept once they are old enough; kept files never are."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.documents.models import StoredDocument
from motcua.documents.services import store_document, sweep_orphan_files
from motcua.dossiers.tests.factories import PDF_BYTES, make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen():
    return make_citizen("Nguyễn Thị Hoa", "048190001234")


def age(name: str, hours: float) -> None:
    moment = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (moment, moment))


def upload(name: str = "giay-to.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_a_file_left_by_a_rolled_back_transaction_is_swept_and_kept_files_stay(citizen):
    kept = store_document(owner=citizen, upload=upload(), created_by=citizen)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = store_document(owner=citizen, upload=upload("bo.pdf"), created_by=citizen)
        raise RuntimeError("the dossier could not be saved")
    assert not StoredDocument.objects.filter(pk=lost.pk).exists() and default_storage.exists(lost.file.name)
    fresh = default_storage.save("documents/2026/11/dang-ghi.pdf", ContentFile(PDF_BYTES))
    for name in (kept.file.name, lost.file.name):
        age(name, hours=3)

    assert sweep_orphan_files() == [lost.file.name]
    assert not default_storage.exists(lost.file.name)
    assert default_storage.exists(kept.file.name)  # a stored document's file, however old
    assert default_storage.exists(fresh)  # too young: its transaction may still be running
    assert sweep_orphan_files() == []


def test_the_command_reports_and_refuses_a_too_short_grace(citizen, capsys):
    stray = default_storage.save("documents/2026/10/mo-coi.pdf", ContentFile(PDF_BYTES))
    age(stray, hours=2)
    call_command("sweep_orphan_files")
    assert "1 orphan file(s) deleted." in capsys.readouterr().out and not default_storage.exists(stray)
    with pytest.raises(SystemExit):
        call_command("sweep_orphan_files", "--older-than-minutes", "1")


def test_nothing_to_sweep_without_a_documents_directory():
    assert sweep_orphan_files() == []
