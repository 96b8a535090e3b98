"""The evidence file of a package: it verifies (with verify_evidence, and with plain openssl and sha256sum as its
README says), on both sides of the exchange, and any changed byte of any file in it makes it fail."""

import datetime as dt
import hashlib
import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.management import CommandError, call_command

from motcua.exchange import services
from motcua.exchange.evidence import EVIDENCE, EvidenceInvalid, export_evidence, verify_evidence
from motcua.exchange.tests.test_services import send
from motcua.sync import keys, protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchanged(world, delivered):
    sent = delivered(send, world)
    delivered(services.mark_processed, package_id=sent.package_id, officer=world.other_officer, note="Đã trả lời")
    return sent


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_evidence_of_a_sent_package_verifies(exchanged):
    data = export_evidence(package_id=exchanged.package_id, direction="outgoing")
    report = verify_evidence(data)
    assert report.package_id == str(exchanged.package_id)
    assert (report.sender_instance, report.receiver_instance, report.outcome) == ("48", "48", "received")
    assert report.package_sha256 == exchanged.token_sha256 and report.documents == 2
    assert report.checks == ["sha256sums", "manifest", "package_signature", "documents", "receipt", "statuses"]
    names = {name.split("/", 1)[1] for name in _entries(data)}
    assert {
        "README.txt",
        "goi-tin.jws",
        "bien-nhan.jws",
        "khoa/ben-gui.pem",
        "khoa/ben-nhan.pem",
        "nhat-ky.json",
        "tai-lieu/01-cong-van-123.pdf",
        "tai-lieu/02-phu-luc.txt",
        "SHA256SUMS",
        "manifest.jws",
    } <= names
    assert any(name.startswith("thong-bao/") for name in names)  # the signed "processed" status
    readme = _entries(data)[f"{exchanged.package_id}/README.txt"].decode()
    assert "CÁCH KIỂM TRA" in readme and "openssl dgst -sha256 -verify" in readme


def test_the_evidence_of_a_received_package_verifies_on_the_receiving_side(exchanged):
    report = verify_evidence(export_evidence(package_id=exchanged.package_id, direction="incoming"))
    assert report.outcome == "received" and "receipt" in report.checks


@pytest.mark.skipif(not shutil.which("openssl") or not shutil.which("sha256sum"), reason="needs openssl, sha256sum")
def test_the_readme_commands_verify_it_without_motcua(exchanged, tmp_path):
    with zipfile.ZipFile(io.BytesIO(export_evidence(package_id=exchanged.package_id))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / str(exchanged.package_id)

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=30)
        return done.stdout + done.stderr

    assert "FAILED" not in run("sha256sum", "-c", "SHA256SUMS")
    for key, stem in (("ben-gui", "goi-tin"), ("ben-nhan", "bien-nhan")):
        verify = ("openssl", "dgst", "-sha256", "-verify", f"khoa/{key}.pem", "-signature", f"openssl/{stem}.sig.der",
                  f"openssl/{stem}.input")  # fmt: skip
        assert run(*verify).strip() == "Verified OK"
        # Against the other side's key the same signature fails: the check does tell keys apart.
        other = "ben-nhan" if key == "ben-gui" else "ben-gui"
        if (folder / f"khoa/{other}.pem").read_bytes() != (folder / f"khoa/{key}.pem").read_bytes():
            assert "Verified OK" not in run(*verify[:4], f"khoa/{other}.pem", *verify[5:])
    header, payload, _signature = (folder / "goi-tin.jws").read_text().split(".")
    assert (folder / "openssl/goi-tin.input").read_text() == f"{header}.{payload}"
    (folder / "tai-lieu/01-cong-van-123.pdf").write_bytes(b"%PDF-1.4 changed")
    assert "FAILED" in run("sha256sum", "-c", "SHA256SUMS")


def test_any_changed_byte_in_any_file_of_the_evidence_fails(exchanged):
    data = export_evidence(package_id=exchanged.package_id)
    entries = _entries(data)
    for name, content in entries.items():
        for position in sorted({0, len(content) // 2, len(content) - 1}):
            changed = bytearray(content)
            changed[position] = (changed[position] + 1) % 256
            with pytest.raises(EvidenceInvalid):
                verify_evidence(_zip({**entries, name: bytes(changed)}))
    # A file added or taken away fails as well, and so does a damaged archive.
    with pytest.raises(EvidenceInvalid):
        verify_evidence(_zip({**entries, f"{exchanged.package_id}/extra.txt": b"x"}))
    readme = f"{exchanged.package_id}/README.txt"
    with pytest.raises(EvidenceInvalid):
        verify_evidence(_zip({name: content for name, content in entries.items() if name != readme}))
    with pytest.raises(EvidenceInvalid):
        verify_evidence(data[: len(data) // 2])
    assert verify_evidence(_zip(entries)).package_id == str(exchanged.package_id)  # rebuilt unchanged: still good


def test_a_forger_who_rebuilds_the_checksums_and_signs_them_with_his_own_key_still_fails(exchanged):
    """The manifest only says nothing changed after export; the signatures of the two instances decide."""
    entries = _entries(export_evidence(package_id=exchanged.package_id))
    root = f"{exchanged.package_id}/"
    forger = keys.new_key()

    def rebuilt(changes: dict[str, bytes]) -> bytes:
        files = {name[len(root) :]: content for name, content in {**entries, **changes}.items()}
        files["khoa/he-thong-xuat.pem"] = keys.public_pem(forger).encode()
        files.pop("SHA256SUMS"), files.pop("manifest.jws")
        digests = {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}
        files["SHA256SUMS"] = "".join(f"{digest}  {name}\n" for name, digest in digests.items()).encode()
        files["manifest.jws"] = protocol.sign(
            typ=EVIDENCE, claims={"evidence": {"files": digests}}, audience="evidence", issuer="x", key=forger,
            now=dt.datetime.now(dt.UTC),
        )[0].encode()  # fmt: skip
        return _zip({root + name: content for name, content in files.items()})

    assert verify_evidence(rebuilt({})).outcome == "received"  # the forger's tooling is right...
    with pytest.raises(EvidenceInvalid, match="differs from the document the package signed"):
        verify_evidence(rebuilt({root + "tai-lieu/01-cong-van-123.pdf": b"%PDF-1.4 another letter %%EOF"}))
    other = keys.public_pem(keys.new_key()).encode()
    with pytest.raises(EvidenceInvalid, match="signature does not verify"):
        verify_evidence(rebuilt({root + "khoa/ben-nhan.pem": other}))


def test_the_command_exports_and_verifies(exchanged, tmp_path, capsys):
    output = tmp_path / "bang-chung.zip"
    call_command("exchange_evidence", str(exchanged.package_id), "--output", str(output))
    call_command("exchange_evidence", "--verify", str(output))
    assert "hợp lệ" in capsys.readouterr().out
    output.write_bytes(output.read_bytes().replace(b"README", b"READ_E", 1))
    with pytest.raises(CommandError, match="KHÔNG HỢP LỆ"):
        call_command("exchange_evidence", "--verify", str(output))
    with pytest.raises(CommandError):
        call_command("exchange_evidence", "00000000-0000-0000-0000-000000000000", "--output", str(output))
