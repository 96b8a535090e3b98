"""The national instance's one set-up step of `make bench-sync`: trust the simulated provincial instances.

    DATABASE_URL=postgres://.../motcua_bench_sync MOTCUA_ROLE=national python scripts/bench_sync/national.py PEERS

PEERS is a JSON list of {"code", "name", "public_pem"}; each is registered with the real
`sync.services.register_peer`, as an operator would (its address is not needed to receive).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def main() -> None:
    import django

    django.setup()
    from motcua.sync import services

    peers = json.loads(Path(sys.argv[1]).read_text())
    for peer in peers:
        services.register_peer(code=peer["code"], name=peer["name"], public_pem=peer["public_pem"])
    print(f"{len(peers)} peers registered")


if __name__ == "__main__":
    main()
