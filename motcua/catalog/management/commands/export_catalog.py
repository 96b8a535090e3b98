import json
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.catalog.queries import export_catalog


class Command(BaseCommand):
    help = "Export the procedures in force (or the given codes) as a catalogue file (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="National procedure codes; all when omitted.")
        parser.add_argument("--output", type=Path, help="Write to this file instead of standard output.")

    def handle(self, *args, codes: list[str], output: Path | None, **options):
        text = json.dumps(export_catalog(codes=codes or None), ensure_ascii=False, indent=2) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
