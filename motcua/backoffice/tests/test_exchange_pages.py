"""/backoffice/exchange/: the officers of the sending and the receiving agency see their copy of a package; the
receiver marks it processed or returns it with a reason; an officer of a third agency, a citizen and an anonymous
visitor see nothing of it; the list has a bounded number of queries."""

from __future__ import annotations

import re

import pytest

from motcua.backoffice.tests.conftest import client_for
from motcua.catalog.tests.factories import AgencyFactory
from motcua.dossiers.tests.factories import make_officer
from motcua.exchange.models import Direction, ExchangePackage, PackageStatus
from motcua.exchange.services import send_package
from motcua.exchange.tests.conftest import letter

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def sent(world, settings, tmp_path, django_capture_on_commit_callbacks):
    """A letter from the commune to Sở Tư pháp (both on this instance), delivered with its receipt."""
    settings.MOTCUA_INSTANCE_KEY_FILE = str(tmp_path / "instance-key.pem")
    settings.MOTCUA_INSTANCE_CODE = "48"
    with django_capture_on_commit_callbacks(execute=True):
        package = send_package(
            sender_agency=world.agency, recipient_agency_identifier=world.other_agency.identifier,
            recipient_instance="48", kind="cong_van", subject="Đề nghị xác minh hộ tịch", documents=[letter()],
            sent_by=world.reception,
        )  # fmt: skip
    return package


def page_of(package, direction):
    return f"/backoffice/exchange/{package.package_id}/?direction={direction}"


def test_sender_and_receiver_each_see_their_copy(world, sent, django_assert_max_num_queries):
    sender = client_for(world.reception)
    sender.get("/backoffice/")  # the session's first request out of the count
    with django_assert_max_num_queries(12):
        outgoing = sender.get("/backoffice/exchange/?direction=outgoing")
    assert "Đề nghị xác minh hộ tịch" in text(outgoing) and "Đã nhận (có biên nhận)" in text(outgoing)
    detail = text(sender.get(page_of(sent, "outgoing")))
    assert "Hệ thống 48 ký nhận lúc" in detail and "cong-van-123.pdf" in detail and "Trả lời bên gửi" not in detail
    receiver = client_for(world.other_officer)
    assert "Đề nghị xác minh hộ tịch" in text(receiver.get("/backoffice/exchange/"))
    assert "Trả lời bên gửi" in text(receiver.get(page_of(sent, "incoming")))


def test_the_receiver_returns_it_with_a_reason(world, sent, django_capture_on_commit_callbacks):
    receiver = client_for(world.other_officer)
    missing = receiver.post(page_of(sent, "incoming"), {"return": "1", "return-reason": ""})
    assert missing.status_code == 400 and "Cần ghi lý do trả lại." in text(missing)
    with django_capture_on_commit_callbacks(execute=True):
        done = receiver.post(page_of(sent, "incoming"), {"return": "1", "return-reason": "Sai cơ quan nhận"},
                             follow=True)  # fmt: skip
    assert "Đã trả lại gói tin cho bên gửi." in text(done)
    outgoing = ExchangePackage.objects.get(direction=Direction.OUTGOING, package_id=sent.package_id)
    assert (outgoing.status, outgoing.return_reason) == (PackageStatus.RETURNED, "Sai cơ quan nhận")
    again = receiver.post(page_of(sent, "incoming"), {"processed": "1", "processed-note": ""})
    assert again.status_code == 404  # nothing left to answer
    assert "Lý do trả lại Sai cơ quan nhận" in text(client_for(world.reception).get(page_of(sent, "outgoing")))


def test_the_sender_cannot_answer_its_own_package(world, sent):
    assert client_for(world.reception).post(page_of(sent, "outgoing"), {"processed": "1"}).status_code == 404


def test_package_checks_ownership(world, sent):
    third = make_officer("canbo_khac", AgencyFactory(identifier="H17.02", name="Sở Y tế"), "reception")
    for direction in ("incoming", "outgoing"):
        assert client_for(third).get(page_of(sent, direction)).status_code == 404
        assert client_for(world.owner).get(page_of(sent, direction)).status_code == 404
        anonymous = client_for(None).get(page_of(sent, direction))
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/officer/")
    assert "Đề nghị xác minh" not in text(client_for(third).get("/backoffice/exchange/"))
    assert client_for(world.reception).get("/backoffice/exchange/?direction=sideways").status_code == 404
