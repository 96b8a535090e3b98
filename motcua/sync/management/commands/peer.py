"""manage.py peer: the instances whose signed messages this instance accepts (the national instance registers each
provincial one; instances that exchange documents register each other).

  manage.py peer add --code 48 --name "Đà Nẵng" --public-key 48.pem [--url https://dichvucong.danang.gov.vn]
  manage.py peer retire-key --kid <thumbprint>
  manage.py peer list
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.sync import services
from motcua.sync.models import PeerInstance, PeerKey


class Command(BaseCommand):
    help = "Register peer instances and their public keys; retire a key after the peer has rotated."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="Trust an instance and a public key of it (a new key rotates).")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--public-key", required=True, type=Path, help="PEM file of the peer's public key.")
        add.add_argument("--url", default="")
        retire = commands.add_parser("retire-key", help="Stop accepting messages signed with this key.")
        retire.add_argument("--kid", required=True)
        commands.add_parser("list", help="The peers and their keys.")

    def handle(self, *args, command: str, **options) -> None:
        if command == "add":
            try:
                pem = options["public_key"].read_text()
                key = services.register_peer(
                    code=options["code"], name=options["name"], public_pem=pem, url=options["url"]
                )
            except (OSError, services.PeerInvalid) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{key.peer.code}: key {key.kid} active")
        elif command == "retire-key":
            try:
                key = services.retire_peer_key(kid=options["kid"])
            except PeerKey.DoesNotExist as exc:
                raise CommandError(f"No peer key {options['kid']}.") from exc
            self.stdout.write(f"{key.peer.code}: key {key.kid} retired at {key.retired_at.isoformat()}")
        else:
            for peer in PeerInstance.objects.prefetch_related("keys"):
                self.stdout.write(f"{peer.code}\t{peer.name}\t{peer.url}")
                for key in peer.keys.all():
                    state = f"retired {key.retired_at.isoformat()}" if key.retired_at else "active"
                    self.stdout.write(f"  {key.kid}\t{state}")
