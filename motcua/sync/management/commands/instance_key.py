"""manage.py instance_key: this instance's signing key (MOTCUA_INSTANCE_KEY_FILE).

  manage.py instance_key show              the public key (PEM) and its kid, to register at the peers
  manage.py instance_key new --output F    a new private key in F (mode 0600), e.g. for production

Rotation without downtime: make the new key with `new`, register its public key at every peer (`peer add` there),
point MOTCUA_INSTANCE_KEY_FILE at it (or move it over the old file: the key is re-read when the file changes),
then retire the old kid at the peers (`peer retire-key`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.sync import keys


class Command(BaseCommand):
    help = "Show this instance's public signing key, or make a new private key."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("show")
        new = commands.add_parser("new")
        new.add_argument("--output", required=True, type=Path)

    def handle(self, *args, command: str, **options) -> None:
        if command == "new":
            key = keys.new_key()
            try:
                keys.write_private_pem(key, options["output"])
            except FileExistsError as exc:
                raise CommandError(f"{options['output']} exists; choose another file.") from exc
        else:
            key = keys.instance_key()
        self.stderr.write(f"{settings.MOTCUA_INSTANCE_CODE} kid={keys.kid_of(key)}")
        self.stdout.write(keys.public_pem(key), ending="")  # the PEM alone, to save as the file the peer registers
