"""Build the provincial instances' template database (SQLite): one commune's desk and officers, and N dossiers
taken through eight steps of their life by the real dossier services.

    DATABASE_URL=sqlite:////abs/template.sqlite3 python scripts/bench_sync/template.py --dossiers 300

Run on a migrated, empty database with MOTCUA_TASK_BACKEND=sqlite and no worker, so the outbox is not delivered:
the instances record their sync changes themselves (the real `sync.services.record_changes`), after each copy has
been given its own codes. The outbox left by the services is cleared at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

# The template agency's identifier; each instance replaces it with its own (see instance.py).
TEMPLATE_AGENCY = "H17.20.194"
ACTIONS_PER_DOSSIER = 8


def build(dossiers: int) -> dict:
    from django.utils import timezone

    from motcua.dossiers.models import ActionKind as K
    from motcua.dossiers.models import Dossier, DossierAction
    from motcua.dossiers.services import perform_action, submit_dossier
    from motcua.dossiers.tests.factories import build_world
    from motcua.events.models import OutboxMessage

    if Dossier.objects.exists():
        raise SystemExit("the template database must be empty (migrated only)")
    world = build_world()
    assert world.agency.identifier == TEMPLATE_AGENCY
    requirement = next(r for r in world.version.components.all() if r.required)
    start = timezone.now() - dt.timedelta(days=20)
    started = time.monotonic()
    for index in range(dossiers):
        moment = start + dt.timedelta(minutes=3 * index)
        dossier = submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), now=moment,
        )  # fmt: skip
        code = dossier.code

        def act(actor, kind, minutes, code=code, moment=moment, **extra):
            perform_action(dossier_code=code, actor=actor, kind=kind, now=moment + dt.timedelta(minutes=minutes),
                           **extra)  # fmt: skip

        act(world.reception, K.RECEIVE, 30)
        act(world.reception, K.REQUEST_SUPPLEMENT, 40, missing=["Bản sao giấy chứng sinh"],
            requirements=[requirement.pk], comment="Thiếu giấy chứng sinh")  # fmt: skip
        act(world.owner, K.SUPPLEMENT, 120, files={requirement.pk: [world.upload()]})
        act(world.reception, K.HAND_OFF, 150, assignee=world.specialist)
        act(world.specialist, K.HAND_OFF, 600, assignee=world.leader)
        act(world.leader, K.RETURN_STEP, 700, comment="Đề nghị kiểm tra lại ngày sinh", assignee=world.specialist)
        act(world.specialist, K.HAND_OFF, 800, assignee=world.leader)
    seconds = time.monotonic() - started
    OutboxMessage.objects.all().delete()
    actions = DossierAction.objects.exclude(kind=K.VIEW).count()
    return {
        "dossiers": Dossier.objects.count(),
        "actions": actions,
        "actions_per_dossier": actions / max(dossiers, 1),
        "seconds": round(seconds, 1),
        "agency": TEMPLATE_AGENCY,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, required=True)
    parser.add_argument("--output", type=Path, help="write the summary (JSON) here")
    args = parser.parse_args()
    import django

    django.setup()
    summary = build(args.dossiers)
    text = json.dumps(summary)
    if args.output:
        args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
