"""Migrations that rebuild the procedure table (SQLite does so to add or drop a column) keep search working."""

import pytest

from motcua.catalog.queries import search_procedures
from motcua.catalog.tests.factories import publish_procedure
from motcua.core.testing import migrate_test_database, migrations_restored


@pytest.mark.django_db(transaction=True)
def test_search_still_finds_after_migrating_back_and_forth():
    with migrations_restored() as latest:
        migrate_test_database([("catalog", "0002_procedure_search_index")])
        migrate_test_database(latest)
    publish_procedure()
    assert [v.name for v in search_procedures(query="dang ky khai sinh")] == ["Đăng ký khai sinh"]
