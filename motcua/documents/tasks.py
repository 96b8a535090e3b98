"""The documents part's periodic job (huey; crontab times are UTC)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from motcua.documents import services


@db_periodic_task(crontab(hour="19", minute="15"))  # 02:15 in Việt Nam, when few dossiers are filed
def sweep_orphan_files() -> int:
    """Delete the files that rolled-back transactions left behind (with the service's grace time)."""
    return len(services.sweep_orphan_files())
