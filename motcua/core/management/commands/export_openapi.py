import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation


def openapi_text() -> str:
    """The OpenAPI document of /api/v1/, as committed to the repository (Vietnamese texts)."""
    from motcua.api import api

    with translation.override("vi"):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ (or check that the committed one is current)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("openapi.json"))
        parser.add_argument("--check", action="store_true", help="Fail when the file differs from the code.")

    def handle(self, *args, output: Path, check: bool, **options):
        text = openapi_text()
        if check:
            if not output.exists() or output.read_text(encoding="utf-8") != text:
                raise CommandError(f"{output} is out of date: run `make openapi` and commit it.")
            self.stdout.write(f"{output} is current.")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
