"""Helpers shared by the test suites of several apps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor


def run_together(tasks: list[Callable[[], object]]) -> list[object]:
    """Start every task at the same moment, each on its own thread and database connection.

    Returns each task's result, or the exception it raised, in the order given (tests assert on them).
    Use with a transactional database (pytest.mark.django_db(transaction=True)) so threads see the data.
    """
    barrier = threading.Barrier(len(tasks))
    results: list[object] = [None] * len(tasks)

    def runner(index: int, task: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = task()
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(index, task)) for index, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def migrate_test_database(targets: list[tuple[str, str]]) -> MigrationExecutor:
    """Migrate the test database to targets; returns a fresh executor, whose loader sees what is applied now."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)


@contextmanager
def migrations_restored() -> Iterator[list[tuple[str, str]]]:
    """Yield every app's latest migration and migrate back to all of them afterwards, whatever happened.

    Going back to one app's old migration also unapplies the other apps' migrations that depend on it; restoring
    only that app's leaf would leave their tables missing for every later test.
    """
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield latest
    finally:
        migrate_test_database(latest)
