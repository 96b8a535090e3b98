"""Migrations that rebuild the procedure table (SQLite does so to add or drop a column) keep search working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.catalog.queries import search_procedures
from motcua.catalog.tests.factories import publish_procedure


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_search_still_finds_after_migrating_back_and_forth():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("catalog")
    try:
        _migrate([("catalog", "0002_procedure_search_index")])
        _migrate(latest)
    finally:
        _migrate(latest)
    publish_procedure()
    assert [v.name for v in search_procedures(query="dang ky khai sinh")] == ["Đăng ký khai sinh"]
