"""Organisations have a warehouse too (kho dữ liệu của tổ chức): the same pages, reuse and sharing as citizens."""

from __future__ import annotations

import re

import pytest

from motcua.accounts.models import User, UserKind
from motcua.dossiers.tests.factories import pdf
from motcua.portal.tests.conftest import client_for
from motcua.wallet import queries, services


@pytest.fixture
def company(world):
    return User.objects.create_user(
        username="0100109106", password="mat-khau-an-toan-2026", kind=UserKind.ORGANISATION,
        full_name="Công ty Cổ phần Sữa Việt Nam", tax_code="0100109106",
    )  # fmt: skip


def test_an_organisation_keeps_shares_and_reads_its_log(world, company):
    licence = services.add_uploaded_document(
        owner=company, upload=pdf("dkkd.pdf"), title="Giấy chứng nhận đăng ký doanh nghiệp", document_type=None
    )
    firm = client_for(company)
    assert "Giấy chứng nhận đăng ký doanh nghiệp" in firm.get("/wallet/").content.decode()
    created = firm.post(
        "/wallet/shares/",
        {"documents": [str(licence.pk)], "recipient": "Ngân hàng Nông nghiệp", "purpose": "Vay vốn lưu động",
         "valid_days": "7", "max_views": "2"},
    )  # fmt: skip
    code = re.search(r'class="wallet-code">([0-9A-Z-]{14})<', created.content.decode()).group(1)
    opened = client_for(None).post(f"/shares/{code}/")
    assert opened.status_code == 200 and "Công ty Cổ phần Sữa Việt Nam" in opened.content.decode()
    [entry] = queries.access_log(company)
    assert entry.accessor_name == "Ngân hàng Nông nghiệp"
    assert "Vay vốn lưu động" in firm.get("/wallet/access-log/").content.decode()
    # A citizen cannot open the organisation's document, nor the organisation a citizen's.
    assert client_for(world.owner).get(f"/wallet/documents/{licence.pk}/").status_code == 404
