"""Append English translations to locale/en/LC_MESSAGES/django.po, safely from several sessions at once.

Usage: .venv/bin/python scripts/po_add.py entries.json   (a JSON list of {"msgid": ..., "msgstr": ...})
Entries whose msgid is already in the file are skipped; the file is locked while written; then compiled.
A msgid with %(name)s placeholders gets the python-format flag.
"""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def known_msgids(text: str) -> set[str]:
    ids = set()
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        joined, taking = "", False
        for line in lines:
            if line.startswith("msgid "):
                taking, joined = True, line[6:].strip()[1:-1]
            elif line.startswith("msgstr") or line.startswith("msgid_plural") or line.startswith("msgctxt"):
                taking = False
            elif taking and line.startswith('"'):
                joined += line[1:-1]
        if joined:
            ids.add(joined.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
    return ids


def main(path: str) -> None:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    with open(PO.with_suffix(".po.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = PO.read_text(encoding="utf-8")
        known = known_msgids(text)
        added = []
        for entry in entries:
            msgid, msgstr = entry["msgid"], entry["msgstr"]
            if msgid in known or not msgstr:
                continue
            flag = "#, python-format\n" if re.search(r"%\(\w+\)s|%s|%d", msgid) else ""
            added.append(f"{flag}msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n")
            known.add(msgid)
        if added:
            PO.write_text(text.rstrip("\n") + "\n\n" + "\n".join(added), encoding="utf-8")
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "compilemessages", "--ignore=.venv",
             "--ignore=node_modules", "-v", "0"],
            cwd=ROOT, check=True,
        )  # fmt: skip
    print(f"added {len(added)} of {len(entries)}")


if __name__ == "__main__":
    main(sys.argv[1])
