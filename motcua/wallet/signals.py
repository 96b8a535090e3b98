"""What the wallet asks of the other parts when a data subject uses their rights.

Each part that keeps personal data answers for its own tables (receivers connected in its AppConfig.ready):

- `personal_data_requested(subject)` → an `ExportSection`: the part's records of the subject as JSON, and the
  stored documents to put beside them in the download.
- `erasure_requested(subject, now)` → an `ErasureOutcome`: what it deleted and what it must keep, and why.
  Sent inside the request's transaction: a failure anywhere erases nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal

personal_data_requested = Signal()
erasure_requested = Signal()


@dataclass
class ExportSection:
    name: str  # the JSON file's name in the archive, e.g. "dossiers"
    records: list[dict]
    documents: list = field(default_factory=list)  # StoredDocument rows whose files go in files/


@dataclass
class ErasureOutcome:
    deleted: dict[str, int] = field(default_factory=dict)  # what → how many
    kept: dict[str, str] = field(default_factory=dict)  # what → why it stays (the law)
