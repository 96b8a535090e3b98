"""`manage.py instance_key` and `peer`: an operator prints this instance's key for the other side, registers
theirs, and retires a key after a rotation."""

import pytest
from django.core.management import CommandError, call_command

from motcua.sync import keys
from motcua.sync.models import PeerInstance

pytestmark = pytest.mark.django_db


def test_the_key_is_printed_and_a_peer_registered_with_its_address(world, tmp_path, capsys):
    call_command("instance_key", "show")
    printed = capsys.readouterr()
    assert printed.out == keys.public_pem(keys.instance_key())  # ready to be saved as the file the peer registers
    assert keys.kid_of(keys.instance_key()) in printed.err
    pem = tmp_path / "79.pem"
    pem.write_text(keys.public_pem(keys.new_key()))
    call_command("peer", "add", "--code", "79", "--name", "TP. Hồ Chí Minh", "--url",
                 "https://dichvucong.hochiminhcity.gov.vn", "--public-key", str(pem))  # fmt: skip
    peer = PeerInstance.objects.get(code="79")
    assert (peer.url, peer.keys.count()) == ("https://dichvucong.hochiminhcity.gov.vn", 1)
    private = tmp_path / "private.pem"
    keys.write_private_pem(keys.new_key(), private)
    with pytest.raises(CommandError, match="public key"):
        call_command("peer", "add", "--code", "80", "--name", "X", "--public-key", str(private))
    with pytest.raises(CommandError):
        call_command("peer", "add", "--code", "80", "--name", "X", "--public-key", str(tmp_path / "none"))
    call_command("peer", "retire-key", "--kid", peer.keys.get().kid)
    assert peer.keys.get().retired_at is not None
    with pytest.raises(CommandError, match="No peer key"):
        call_command("peer", "retire-key", "--kid", "nothing")


def test_sync_resend_sends_again_from_a_day(world, counted, capsys):
    from motcua.dossiers.services import submit_dossier
    from motcua.dossiers.tests.factories import at

    counted(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 2, 9),
    )  # fmt: skip
    call_command("sync_resend", "--since", "2000-01-01", "--agency", world.agency.identifier)
    assert "1 changes will be sent again." in capsys.readouterr().out
    with pytest.raises(CommandError, match="No agency H99"):
        call_command("sync_resend", "--since", "2000-01-01", "--agency", "H99")
