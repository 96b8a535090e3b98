"""Shares, at the service level: what a code opens, for how long its files download, and what it never reveals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers.tests.factories import pdf
from motcua.wallet import queries, services
from motcua.wallet.errors import ShareUnavailable, WalletInvalid


@pytest.fixture
def copy(world):
    return services.add_uploaded_document(
        owner=world.owner, upload=pdf("hoc-ba.pdf"), title="Học bạ", document_type=None
    )


def share(world, copy, **overrides):
    arguments = {"owner": world.owner, "document_ids": [copy.pk], "recipient": "Trường THPT Phan Châu Trinh",
                 "purpose": "Hồ sơ tuyển sinh lớp 10", "valid_days": 7, "max_views": 1, **overrides}  # fmt: skip
    return services.create_share(**arguments)


def test_the_last_view_may_still_download_for_a_while_then_nothing(world, copy, settings):
    settings.MOTCUA_SHARE_DOWNLOAD_MINUTES = 60
    _share, code = share(world, copy)
    with pytest.raises(ShareUnavailable):
        services.record_shared_download(code=code, document_id=copy.pk)  # no view yet: nothing
    opened_at = timezone.now()
    services.open_share(code=code, now=opened_at)
    assert services.record_shared_download(code=code, document_id=copy.pk, now=opened_at + dt.timedelta(minutes=5))
    with pytest.raises(ShareUnavailable):
        services.open_share(code=code, now=opened_at + dt.timedelta(minutes=6))  # the one view is used
    with pytest.raises(ShareUnavailable):
        services.record_shared_download(code=code, document_id=copy.pk, now=opened_at + dt.timedelta(minutes=61))


def test_a_share_whose_documents_were_all_removed_opens_nothing(world, copy):
    made, code = share(world, copy, max_views=3)
    services.remove_uploaded_document(owner=world.owner, document_id=copy.pk)
    with pytest.raises(ShareUnavailable):
        services.open_share(code=code)
    made.refresh_from_db()
    assert made.views == 0


def test_one_document_named_twice_is_shared_once(world, copy):
    made, _code = share(world, copy, document_ids=[str(copy.pk), str(copy.pk).upper().replace("-", "")])
    assert list(made.documents.all()) == [copy]


def test_an_unreadable_or_foreign_document_id_is_refused(world, copy):
    theirs = services.add_uploaded_document(
        owner=world.other_citizen, upload=pdf(), title="Giấy tờ của Bình", document_type=None
    )
    for ids in ([copy.pk, "khong-phai-ma"], [copy.pk, theirs.pk], []):
        with pytest.raises(WalletInvalid) as refused:
            share(world, copy, document_ids=ids)
        assert set(refused.value.errors) == {"documents"}
    assert not queries.shares_of(world.owner).exists()
