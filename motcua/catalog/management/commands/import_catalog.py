import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.services import CatalogImportRejected, import_catalog


class Command(BaseCommand):
    help = "Import a catalogue file (JSON). The whole file is applied, or nothing if any part is invalid."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--draft", action="store_true", help="Save changed procedures as drafts, do not publish.")

    def handle(self, *args, path: Path, draft: bool, **options):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            report = import_catalog(data=data, publish=not draft)
        except CatalogImportRejected as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"Import rejected, nothing was changed:\n{lines}") from exc
        self.stdout.write(
            f"Published {len(report.versions_published)}, drafts {len(report.drafts_saved)}, "
            f"unchanged {len(report.unchanged)}; fields +{report.fields_created}, "
            f"document types +{report.document_types_created}."
        )
