"""Benchmark of the "no paper, no cash" writes: rendering and signing results, forms and receipts, verifying a
signed PDF, approving with the signed result, and applying a gateway's payment notification.

Runs on the configured database (use a throw-away one: `make bench` does), with the demo CA in a temporary
directory; every step goes through the real services. Writes the medians and maxima as JSON.
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from motcua.dossiers.models import ActionKind, Dossier
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import build_world
from motcua.payments import services as payments
from motcua.payments.gateways.sandbox import SandboxGateway
from motcua.payments.receipts import render_receipt
from motcua.signing.pades import sign_pdf, validate_pdf
from motcua.signing.result_rendering import render_result
from motcua.signing.services import approve_and_issue, result_data
from motcua.signing.signed_forms import signed_form


class Command(BaseCommand):
    help = "Time signing (results, forms, receipts), verification, approval and payment notifications; write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--output", type=Path, default=Path("bench-results/signing.json"))

    def handle(self, *args, repeat: int, output: Path, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("Refusing to write benchmark data in production.")
        if Dossier.objects.exists():
            raise CommandError("The database already has dossiers: run the benchmark on an empty database.")
        with tempfile.TemporaryDirectory() as scratch:
            overrides = {
                "MEDIA_ROOT": Path(scratch) / "media", "MOTCUA_PKI_DIR": Path(scratch) / "pki",
                "MOTCUA_SIGNING_PKCS12": "", "MOTCUA_SIGNING_PKCS11_MODULE": "", "MOTCUA_SIGNING_PKCS12_DIR": "",
                "MOTCUA_PAYMENT_GATEWAYS": ["sandbox"], "MOTCUA_SANDBOX_GATEWAY_SECRET": "bench",
            }  # fmt: skip
            with override_settings(**overrides):
                results = self._measure(repeat)
        report = {
            "benchmark": "signing and payments",
            "database": connection.vendor,
            "repeat": repeat,
            "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "results": results,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {output}")

    def _measure(self, repeat: int) -> dict:
        world = build_world()
        # One dossier per approval, payment and receipt measured (each changes its dossier), plus a warm-up.
        ready = [self._at_the_leader(world, key=f"bench-{index}") for index in range(repeat + 2)]
        paying = [self._waiting_for_payment(world, key=f"bench-pay-{index}") for index in range(repeat + 1)]
        sample = Dossier.objects.get(pk=ready[0].pk)
        approved = Dossier.objects.get(pk=ready[-1].pk)
        issued = approve_and_issue(dossier_code=approved.code, leader=world.leader)
        data = result_data(dossier=approved, result_id="00000000-0000-0000-0000-000000000000", issued_at=timezone.now())
        unsigned = render_result(dossier=approved, data=data, issued_at=timezone.now())
        signed = issued.document.file.open("rb").read()
        sandbox = SandboxGateway()
        queue = {"approve": iter(ready[:-1]), "notify": iter(paying)}
        paid = []

        def approve_next():
            approve_and_issue(dossier_code=next(queue["approve"]).code, leader=world.leader)

        def notify_next():
            dossier, bill = next(queue["notify"])
            payment, _url = payments.start_payment(bill=bill, gateway_code="sandbox")
            request = {"sbx_TxnRef": payment.txn_ref, "sbx_Amount": str(payment.amount)}
            signed_notification = sandbox.notification_for(request, paid=True)
            outcome = payments.handle_notification(gateway="sandbox", params=signed_notification)
            if outcome.code != "00":
                raise CommandError(f"The sandbox notification was not applied: {outcome.code} {outcome.detail}")
            paid.append(payment)

        steps = {
            "result_render_pdf": lambda: render_result(dossier=approved, data=data, issued_at=timezone.now()),
            "result_sign_pades_with_stamp": lambda: sign_pdf(
                unsigned, agency=approved.agency, reason="Bench", location=approved.agency.name
            ),
            "approve_and_issue_signed_result": approve_next,
            "form_01_render_and_sign": lambda: signed_form("01", dossier=sample),
            "verify_signed_pdf": lambda: validate_pdf(signed),
            "payment_start_and_notification": notify_next,
            "receipt_render_and_sign": lambda: render_receipt(paid[-1]),
        }
        results = {}
        for name, step in steps.items():
            step()  # warm-up: the first call loads fonts and keys
            timings = []
            for _ in range(repeat):
                begin = time.perf_counter()
                step()
                timings.append((time.perf_counter() - begin) * 1000)
            results[name] = {"median_ms": round(statistics.median(timings), 2), "max_ms": round(max(timings), 2)}
            self.stdout.write(
                f"{name:34s} median {results[name]['median_ms']:8.2f} ms   max {results[name]['max_ms']:8.2f} ms"
            )
        return results

    @staticmethod
    def _file(world, key: str) -> Dossier:
        return submit_dossier(
            applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
            files=world.required_files(), idempotency_key=key,
        )  # fmt: skip

    def _at_the_leader(self, world, *, key: str) -> Dossier:
        dossier = self._file(world, key)
        for actor, kind, extra in (
            (world.reception, ActionKind.RECEIVE, {}),
            (world.reception, ActionKind.HAND_OFF, {"assignee": world.specialist}),
            (world.specialist, ActionKind.HAND_OFF, {"assignee": world.leader}),
        ):
            perform_action(dossier_code=dossier.code, actor=actor, kind=kind, **extra)
        return dossier

    def _waiting_for_payment(self, world, *, key: str):
        dossier = self._file(world, key)
        perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE)
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.HAND_OFF, assignee=world.specialist
        )
        bill = payments.request_payment(dossier_code=dossier.code, officer=world.specialist, copies=2)
        return dossier, bill
