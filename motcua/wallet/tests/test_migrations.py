"""Results signed before the warehouse existed are backfilled into their owners' warehouses."""

import pytest

from motcua.core.testing import migrate_test_database, migrations_restored
from motcua.wallet.models import WalletDocument, WalletDocumentKind


@pytest.mark.django_db(transaction=True)
def test_the_backfill_puts_earlier_results_in_the_warehouse(world, birth_certificate):
    reference, owner = birth_certificate.issued_reference, birth_certificate.owner
    with migrations_restored() as latest:
        migrate_test_database([("wallet", "0003_consent_purposes_and_request_deadlines")])
        WalletDocument.objects.filter(pk=birth_certificate.pk).delete()  # as if issued before the warehouse
        migrate_test_database(latest)
    restored = WalletDocument.objects.get(issued_reference=reference)
    assert (restored.owner, restored.kind, restored.revoked_at) == (owner, WalletDocumentKind.ISSUED, None)
    assert restored.data["form_data"]["child_name"] == "Nguyễn Văn An"
