"""Helpers shared by the test suites of several apps."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection


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
