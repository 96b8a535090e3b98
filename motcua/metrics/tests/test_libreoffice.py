"""The II.06a workbook opens in LibreOffice (headless Calc) with the right numbers, its formulas recalculated.

One conversion (xlsx → csv) in a temporary directory with its own LibreOffice profile, so it neither touches nor
waits for a user's running instance. Without LibreOffice the test fails (it is part of `make test`): `make
system-deps` installs it (Debian's libreoffice-calc-nogui).
"""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from django.test import Client

from motcua.metrics.tests.ii06a_world import CERTIFICATION, CIVIL_STATUS, TOTAL, add_certification

CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, double quotes, UTF-8, from the first line


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(
            "LibreOffice (soffice) is missing: `make system-deps` installs it "
            "(as root: apt-get install --no-install-recommends libreoffice-calc-nogui)."
        )
    return found


def test_the_workbook_opens_in_libreoffice_with_the_right_numbers(world, november, counted, tmp_path):
    program = soffice()
    add_certification(world, counted)
    response = Client().get("/api/v1/reports/ii06a?agency=H17.20.194&from=2026-11-01&to=2026-11-30&format=xlsx")
    source = tmp_path / "ii06a.xlsx"
    source.write_bytes(response.content)
    done = subprocess.run(
        [program, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--nolockcheck", "--convert-to", CSV_FILTER, "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    converted = tmp_path / "ii06a.csv"
    assert converted.is_file(), f"LibreOffice did not convert the workbook: {done.stdout} {done.stderr}"
    rows = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    lines = {row[1]: row for row in rows if len(row) == 13 and row[1]}
    # The identity columns (3), (7), (11) are formulas: LibreOffice computed them on load.
    assert [int(value) for value in lines["Chứng thực"][2:]] == CERTIFICATION
    assert [int(value) for value in lines["Hộ tịch"][2:]] == CIVIL_STATUS
    assert [int(value) for value in lines["Tổng cộng"][2:]] == TOTAL
    assert (lines["Chứng thực"][0], lines["Hộ tịch"][0], lines["Tổng cộng"][0]) == ("1", "2", "")
    assert rows[1][:3] == ["Cơ quan, địa phương", "", "Ủy ban nhân dân Phường Hải Châu"]
