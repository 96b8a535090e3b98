"""Data: results signed before the warehouse existed land in their owners' warehouses, as new ones do."""

from django.db import migrations


def backfill(apps, schema_editor):
    result_model = apps.get_model("signing", "IssuedResult")
    wallet_model = apps.get_model("wallet", "WalletDocument")
    known = set(wallet_model.objects.values_list("issued_reference", flat=True))
    results = result_model.objects.select_related("dossier__procedure_version", "document").order_by("issued_at")
    wallet_model.objects.bulk_create(
        [
            wallet_model(
                owner_id=result.dossier.applicant_id,
                document_id=result.document_id,
                kind="issued",
                document_type_id=result.dossier.procedure_version.result_document_type_id,
                title=result.dossier.procedure_version.result_name[:500],
                data=result.data,
                issuer_id=result.agency_id,
                issued_reference=str(result.pk),
                issued_at=result.issued_at,
                revoked_at=result.revoked_at,
                added_at=result.issued_at,
            )
            for result in results.iterator(chunk_size=500)
            if str(result.pk) not in known
        ],
        batch_size=500,
    )


def unbackfill(apps, schema_editor):
    """Nothing to undo: the rows are what the warehouse holds either way (dropping the table removes them)."""


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0003_consent_purposes_and_request_deadlines"),
        ("signing", "0001_issued_result"),
    ]

    operations = [migrations.RunPython(backfill, unbackfill)]
