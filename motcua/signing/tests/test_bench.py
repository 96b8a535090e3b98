"""`make bench`'s signing benchmark runs end to end (one run of each step) and writes every measure."""

import json

import pytest
from django.core.management import call_command

STEPS = {
    "result_render_pdf", "result_sign_pades_with_stamp", "approve_and_issue_signed_result", "form_01_render_and_sign",
    "verify_signed_pdf", "payment_start_and_notification", "receipt_render_and_sign",
}  # fmt: skip


@pytest.mark.django_db
def test_the_signing_benchmark_measures_every_step(tmp_path):
    output = tmp_path / "signing.json"
    call_command("bench_signing", "--repeat", "1", "--output", str(output), stdout=open("/dev/null", "w"))
    report = json.loads(output.read_text(encoding="utf-8"))
    assert set(report["results"]) == STEPS
    assert all(step["median_ms"] > 0 for step in report["results"].values())
