"""Export the evidence file (ZIP) of one package, or verify one.

manage.py exchange_evidence 6f1c...-... --output bang-chung.zip [--direction outgoing|incoming]
manage.py exchange_evidence --verify bang-chung.zip
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.exchange.evidence import EvidenceInvalid, export_evidence, verify_evidence
from motcua.exchange.models import Direction, ExchangePackage


class Command(BaseCommand):
    help = "Xuất hồ sơ chứng cứ (ZIP) của một gói tin liên thông, hoặc kiểm tra một tệp đã xuất."

    def add_arguments(self, parser) -> None:
        parser.add_argument("package_id", nargs="?", help="Mã gói tin (UUID).")
        parser.add_argument("--output", type=Path, help="Tệp ZIP sẽ ghi.")
        parser.add_argument("--direction", choices=Direction.values, help="Khi hệ thống giữ cả gói đi và gói đến.")
        parser.add_argument("--verify", type=Path, metavar="ZIP", help="Kiểm tra một tệp chứng cứ đã xuất.")

    def handle(self, *args, package_id: str | None, output: Path | None, direction: str | None, verify: Path | None,
               **options) -> None:  # fmt: skip
        if verify is not None:
            try:
                report = verify_evidence(verify)
            except (EvidenceInvalid, OSError) as exc:
                raise CommandError(f"{verify}: KHÔNG HỢP LỆ: {exc}") from exc
            self.stdout.write(
                f"{verify}: hợp lệ — gói tin {report.package_id} từ {report.sender_instance} đến "
                f"{report.receiver_instance}, biên nhận: {report.outcome or 'không có'} {report.received_at or ''}; "
                f"đã kiểm tra: {', '.join(report.checks)}"
            )
            return
        if not package_id or output is None:
            raise CommandError("Give a package id and --output FILE, or --verify FILE.")
        try:
            identifier = uuid.UUID(package_id)
            data = export_evidence(package_id=identifier, direction=direction)
        except (ValueError, ExchangePackage.DoesNotExist):
            raise CommandError(f"No package {package_id} on this instance.") from None
        output.write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} bytes")
