"""The demo that `make run` serves: real procedures, a real province, loaded once however often it runs."""

import pytest
from django.core.management import call_command

from motcua.catalog.models import Agency, AgencyKind, Level, ProcedureVersion
from motcua.catalog.queries import level_counts

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_a_real_catalogue_once(client, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "quantri" in first and "motcua-demo-2026" in first

    current = ProcedureVersion.objects.filter(is_current=True)
    assert current.count() >= 45
    assert all(count > 0 for count in level_counts().values())
    assert current.values("field").distinct().count() >= 12
    assert Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, unit__parent__code="48").count() >= 90
    birth = current.get(procedure__code="1.001193")
    assert birth.name == "Đăng ký khai sinh" and Level.COMMUNE in birth.levels
    assert birth.procedure.agencies.filter(kind=AgencyKind.COMMUNE_PC).count() >= 90

    from motcua.accounts.models import User, UserKind
    from motcua.dossiers.models import Dossier

    assert User.objects.filter(kind=UserKind.OFFICER).count() == 3
    assert sorted(Dossier.objects.values_list("state", flat=True)) == [1, 1, 2, 4, 6, 9]
    from motcua.payments.models import Bill
    from motcua.signing.models import IssuedResult
    from motcua.signing.pades import validate_pdf

    bills = {bill.dossier.procedure_version.procedure.code: bill.total for bill in Bill.objects.all()}
    assert bills == {"2.000635": 8000, "1.004873": 5000}  # to pay in the sandbox (5.000: half, filed online)
    assert validate_pdf(IssuedResult.objects.get().document.file.open("rb").read()).valid

    call_command("seed_demo")
    second = capsys.readouterr().out
    assert "0 published" in second and "0 commune assignments added" in second and "Demo dossiers: +0." in second
    assert ProcedureVersion.objects.count() == current.count()
    assert Dossier.objects.count() == 6 and User.objects.filter(kind=UserKind.OFFICER).count() == 3


def test_every_demo_procedure_page_and_api_document_renders(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    codes = list(ProcedureVersion.objects.filter(is_current=True).values_list("procedure__code", flat=True))
    for code in codes:
        assert client.get(f"/procedures/{code}/").status_code == 200, code
        assert client.get(f"/api/v1/procedures/{code}").status_code == 200, code
    assert client.get("/agencies/").status_code == 200
    assert client.get("/procedures/", {"q": "dang ky khai sinh"}).status_code == 200
