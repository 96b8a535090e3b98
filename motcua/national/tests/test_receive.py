"""The national receiver: each dossier's changes applied once and in order; forged, replayed, stale or misaddressed
pushes refused and recorded."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.national.errors import PushRefused
from motcua.national.models import NationalChange, NationalDossier, ReceivedBatch
from motcua.national.services import receive_batch
from motcua.national.tests.conftest import Province, change
from motcua.sync import keys
from motcua.sync.services import register_peer, retire_peer_key

pytestmark = pytest.mark.django_db
CODE = "H48.01-261102-0001"


def outcomes(answer):
    return [(r["seq"], r["outcome"], r.get("expected_seq")) for r in answer.results]


def test_changes_apply_in_order_once(province):
    answer = receive_batch(token=province.batch([change(CODE, 1), change(CODE, 2, state=2)]))
    assert outcomes(answer) == [(1, "accepted", None), (2, "accepted", None)]
    again = receive_batch(token=province.batch([change(CODE, 2, state=2), change(CODE, 3, state=4)]))
    assert outcomes(again) == [(2, "duplicate", None), (3, "accepted", None)]
    dossier = NationalDossier.objects.get(code=CODE)
    assert (dossier.state, dossier.last_seq, dossier.received_at is not None) == (4, 3, True)
    assert list(NationalChange.objects.filter(dossier=dossier).order_by("seq").values_list("seq", "state")) == [
        (1, 1), (2, 2), (3, 4),
    ]  # fmt: skip


def test_a_change_that_skips_ahead_is_refused_with_the_number_expected(province):
    receive_batch(token=province.batch([change(CODE, 1)]))
    answer = receive_batch(token=province.batch([change(CODE, 3, state=4), change("H48.01-261102-0002", 2)]))
    assert outcomes(answer) == [(3, "gap", 2), (2, "gap", 1)]
    assert NationalDossier.objects.get(code=CODE).last_seq == 1
    assert not NationalDossier.objects.filter(code="H48.01-261102-0002").exists()


def test_forged_push_is_refused_and_recorded(province):
    forger = Province("48")  # claims to be province 48 with a key the national instance never registered
    with pytest.raises(PushRefused) as refused:
        receive_batch(token=forger.batch([change(CODE, 1)]), remote_addr="203.0.113.9")
    assert (refused.value.status, refused.value.code) == (401, "unknown_key")
    record = ReceivedBatch.objects.get()
    assert (record.outcome, record.reason, record.claimed_issuer, record.remote_addr) == (
        "refused", "unknown_key", "48", "203.0.113.9",
    )  # fmt: skip
    assert not NationalDossier.objects.exists()


def test_changed_byte_breaks_the_signature(province):
    header, body, signature = province.batch([change(CODE, 1)]).split(".")
    forged_body = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(PushRefused) as refused:
        receive_batch(token=f"{header}.{forged_body}.{signature}")
    assert refused.value.code in ("bad_signature", "malformed")
    assert ReceivedBatch.objects.get().outcome == "refused" and not NationalDossier.objects.exists()


def test_replayed_push_is_refused_and_recorded(province):
    token = province.batch([change(CODE, 1)])
    receive_batch(token=token)
    with pytest.raises(PushRefused) as refused:
        receive_batch(token=token)
    assert (refused.value.status, refused.value.code) == (409, "replay")
    assert list(ReceivedBatch.objects.order_by("pk").values_list("outcome", "reason")) == [
        ("accepted", ""), ("refused", "replay"),
    ]  # fmt: skip
    assert NationalChange.objects.count() == 1


def test_stale_and_misaddressed_pushes_are_refused(province):
    old = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(PushRefused) as stale:
        receive_batch(token=province.batch([change(CODE, 1)], now=old))
    with pytest.raises(PushRefused) as misaddressed:
        receive_batch(token=province.batch([change(CODE, 1)], audience="79"))
    assert (stale.value.code, misaddressed.value.code) == ("stale", "wrong_audience")
    assert not NationalDossier.objects.exists()


def test_an_instance_cannot_write_another_instances_dossier(province):
    receive_batch(token=province.batch([change(CODE, 1)]))
    other = Province("79")
    other.register()
    answer = receive_batch(token=other.batch([change(CODE, 2, state=2)]))
    assert answer.results[0]["outcome"] == "refused" and "another instance" in answer.results[0]["reason"]
    assert NationalDossier.objects.get(code=CODE).last_seq == 1


def test_invalid_change_is_refused_alone(province):
    bad = change(CODE, 1)
    bad["payload"]["TrangThaiHoSo"] = 11
    answer = receive_batch(token=province.batch([bad, change("H48.01-261102-0002", 1)]))
    assert [r["outcome"] for r in answer.results] == ["refused", "accepted"]


def test_keys_rotate_without_a_refused_push(province):
    old_kid = keys.kid_of(province.key)
    new_key = keys.new_key()
    register_peer(code="48", name="Tỉnh 48", public_pem=keys.public_pem(new_key))
    receive_batch(token=province.batch([change(CODE, 1)]))  # the old key still works while both are active
    receive_batch(token=province.batch([change(CODE, 2)], key=new_key))
    retire_peer_key(kid=old_kid)
    with pytest.raises(PushRefused) as refused:
        receive_batch(token=province.batch([change(CODE, 3)]))
    assert refused.value.code == "unknown_key"
    assert outcomes(receive_batch(token=province.batch([change(CODE, 3)], key=new_key))) == [(3, "accepted", None)]


def test_http_endpoint_answers_results_and_the_error_format(province, client: Client):
    response = client.post(
        "/api/v1/national/sync/batches", data=province.batch([change(CODE, 1)]), content_type="application/jose"
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"dossier": CODE, "seq": 1, "outcome": "accepted", "expected_seq": None,
                                           "reason": None}]  # fmt: skip
    forged = client.post(
        "/api/v1/national/sync/batches", data=Province("48").batch([change(CODE, 2)]),
        content_type="application/jose", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "unknown_key"


def test_a_provincial_instance_refuses_pushes(db, settings):
    settings.MOTCUA_ROLE, settings.MOTCUA_SYNC_CONNECTOR = "provincial", "motcua"
    settings.MOTCUA_NATIONAL_URL = "http://127.0.0.1:9"
    response = Client().post("/api/v1/national/sync/batches", data="x.y.z", content_type="application/jose")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_national"
