"""`manage.py bench_fill`: the load benchmark's synthetic history and its manifest are true.

One fill of 300 dossiers (history ending 20/11/2026 10:00) is shared by the module and rolled back after it;
each test below checks one promise of the manifest through the real queries, policy and API.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import Agency
from motcua.dossiers import deadlines, policy
from motcua.dossiers.models import (
    SYSTEM_ROLE,
    ActionKind,
    Dossier,
    DossierAction,
    DossierCodeCounter,
    DossierState,
)
from motcua.dossiers.queries import lookup_dossier
from motcua.dossiers.tests.factories import PDF_BYTES, pdf
from motcua.dossiers.transitions import APPLICANT, RESUME, TRANSITIONS
from motcua.payments.models import Bill, BillStatus, Payment, PaymentStatus
from motcua.workdays.calendar import TIME_ZONE
from motcua.workdays.queries import load_calendar

END = dt.datetime(2026, 11, 20, 10, 0, tzinfo=TIME_ZONE)
DOSSIERS = 300


@pytest.fixture(scope="module")
def manifest(django_db_setup, django_db_blocker, tmp_path_factory):
    """Fill once for the module, inside a transaction rolled back at the end (the other tests see nothing)."""
    path = tmp_path_factory.mktemp("bench") / "manifest.json"
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("bench_fill", dossiers=DOSSIERS, manifest=path, now=END, stdout=io.StringIO())
            yield json.loads(path.read_text(encoding="utf-8"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def user_of(token: str) -> User:
    from motcua.accounts.tokens import user_for_token

    user = user_for_token(token)
    assert user is not None, "the manifest's token is not a valid API token"
    return user


def test_the_manifest_counts_what_is_in_the_database(manifest, db):
    assert manifest["dossiers"] == DOSSIERS == Dossier.objects.count()
    assert manifest["actions"] == DossierAction.objects.count()
    assert manifest["database"] == connection.vendor
    assert manifest["fill_seconds"] > 0
    assert len(manifest["lookup"]) == DOSSIERS  # min(2000, N)
    assert len(manifest["search_terms"]) >= 20 and "khai sinh" in manifest["search_terms"]
    assert len({o["agency"] for o in manifest["officers"]}) >= 10 and len(manifest["officers"]) >= 30
    assert len(manifest["submission"]["documents"]) == 2
    assert manifest["gateway"]["vnpay_tmn_code"] and manifest["gateway"]["vnpay_hash_secret"]
    # Every dossier was filed in the 3 years before the end, and the busiest agency is the manifest's largest.
    moments = Dossier.objects.values_list("submitted_at", flat=True)
    first, last = moments.order_by("submitted_at")[0], moments.order_by("-submitted_at")[0]
    assert END - dt.timedelta(days=3 * 366) < first and last <= END
    per_agency = Counter(Dossier.objects.values_list("agency__identifier", flat=True))
    largest = max(manifest["officers"], key=lambda o: o["agency_dossiers"])
    assert per_agency.most_common(1)[0] == (largest["agency"], largest["agency_dossiers"])


def test_every_state_has_its_share(manifest, db):
    states = Counter(Dossier.objects.values_list("state", flat=True))
    finished = states[DossierState.RESULT_READY] + states[DossierState.RESULT_RETURNED]
    assert finished > DOSSIERS * 0.7, states
    for state in (3, 4, 6, 7, 8, 10):
        assert states[state] > 0, f"no dossier in state {state}: {states}"
    per_finished = DossierAction.objects.filter(dossier__state=DossierState.RESULT_RETURNED).count()
    assert 5 <= per_finished / states[DossierState.RESULT_RETURNED] <= 8


def test_every_lookup_pair_answers_through_the_public_lookup(manifest, db):
    for item in manifest["lookup"]:
        dossier = lookup_dossier(code=item["code"], id_last4=item["id_last4"])
        assert dossier is not None and dossier.code == item["code"]
    wrong = manifest["lookup"][0]
    other = "0000" if wrong["id_last4"] != "0000" else "1111"
    assert lookup_dossier(code=wrong["code"], id_last4=other) is None


def test_every_citizen_reads_their_dossiers_through_the_api(manifest, db):
    client = Client()
    assert manifest["citizens"]
    for citizen in manifest["citizens"]:
        user = user_of(citizen["token"])
        assert user.username == citizen["username"]
        own = Dossier.objects.filter(applicant=user).values_list("code", flat=True)
        assert set(citizen["dossier_codes"]) == set(own)
        for code in citizen["dossier_codes"]:
            response = client.get(f"/api/v1/dossiers/{code}", **bearer(citizen["token"]))
            assert response.status_code == 200, response.content
            body = response.json()
            assert body["code"] == code
            # Filed with every required document (uploaded online, scanned at the desk).
            required = Dossier.objects.get(code=code).procedure_version.components.filter(required=True).count()
            assert len(body["components"]) == required
            assert all(c["document"]["content_type"] == "application/pdf" for c in body["components"])
    someone_else = next(c for c in manifest["citizens"][1:] if c["dossier_codes"])["dossier_codes"][0]
    assert client.get(f"/api/v1/dossiers/{someone_else}", **bearer(manifest["citizens"][0]["token"])).status_code == 404


def test_every_officer_sees_their_agencys_dossiers_in_the_worklists(manifest, db):
    client = Client()
    for officer in manifest["officers"]:
        user = user_of(officer["token"])
        assert user.username == officer["username"]
        agency = Agency.objects.get(identifier=officer["agency"])
        assert policy.officer_roles(user) and agency.pk in policy.officer_roles(user)
        counts = client.get("/api/v1/worklists", **bearer(officer["token"])).json()
        assert counts["all"] == officer["agency_dossiers"] == Dossier.objects.filter(agency=agency).count()


def test_every_approval_is_next_for_its_leader_and_the_api_accepts_it(manifest, db):
    assert manifest["approvals"]
    for item in manifest["approvals"]:
        leader = user_of(item["token"])
        dossier = Dossier.objects.get(code=item["dossier_code"])
        assert dossier.state == DossierState.PROCESSING
        assert dossier.actions.order_by("-seq").first().kind == ActionKind.HAND_OFF  # the real hand-off
        assert "approve" in policy.allowed_actions(leader, dossier)
    client = Client()
    for item in manifest["approvals"][:3]:
        response = client.post(
            f"/api/v1/dossiers/{item['dossier_code']}/actions", item["body"], content_type="application/json",
            **bearer(item["token"]),
        )  # fmt: skip
        assert response.status_code == 201, response.content
        assert response.json()["kind"] == "approve"
        assert Dossier.objects.get(code=item["dossier_code"]).state == DossierState.RESULT_READY


def test_an_approval_through_the_api_issues_a_signed_result(manifest, db):
    from motcua.signing.models import IssuedResult

    item = manifest["approvals"][0]
    response = Client().post(
        f"/api/v1/dossiers/{item['dossier_code']}/actions", item["body"], content_type="application/json",
        **bearer(item["token"]),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert IssuedResult.objects.filter(dossier__code=item["dossier_code"], revoked_at__isnull=True).exists()


def test_every_payment_is_pending_at_vnpay_on_an_open_bill_of_a_dossier_waiting_for_it(manifest, db):
    assert manifest["payments"]
    for item in manifest["payments"]:
        payment = Payment.objects.select_related("bill__dossier").get(txn_ref=item["txn_ref"])
        assert payment.status == PaymentStatus.PENDING and payment.gateway == item["gateway"] == "vnpay"
        assert payment.amount == item["amount"] == payment.bill.total > 0
        assert payment.bill.status == BillStatus.OPEN
        assert payment.bill.dossier.state == DossierState.PAYMENT_REQUESTED
        assert payment.events.filter(kind="start").exists()
    # Every dossier waiting for payment has its open bill (the fill makes none without one).
    waiting = Dossier.objects.filter(state=DossierState.PAYMENT_REQUESTED)
    assert waiting.count() == Bill.objects.filter(status=BillStatus.OPEN, dossier__in=waiting).count()


def test_the_submission_template_files_a_dossier_with_two_uploaded_documents(manifest, db):
    submission = manifest["submission"]
    token = submission["applicants"][0]["token"]
    assert not Dossier.objects.filter(applicant=user_of(token)).exists()
    client = Client()
    documents = {}
    for index, spec in enumerate(submission["documents"], start=1):
        upload = client.post("/api/v1/documents", {"file": pdf(spec["filename"], PDF_BYTES)}, **bearer(token))
        assert upload.status_code == 201, upload.content
        documents[f"{{document_{index}}}"] = upload.json()["id"]
    body = json.loads(json.dumps(submission["body_template"]))
    body["components"] = {key: [documents[d] for d in ids] for key, ids in body["components"].items()}
    response = client.post(
        "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bench-fill-0001",
        **bearer(token),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    dossier = response.json()
    assert dossier["state"] == DossierState.SUBMITTED and dossier["procedure"] == submission["procedure"]
    assert len(dossier["components"]) == 2


def replay(actions: list[DossierAction]) -> int | None:
    """The state machine of transitions.py run over a log: the state it ends in (AssertionError if it breaks)."""
    state, resume = None, None
    for expected_seq, action in enumerate(actions, start=1):
        assert action.seq == expected_seq
        if expected_seq == 1:
            assert action.kind in (ActionKind.SUBMIT, ActionKind.REGISTER_DIRECT)
            state = action.to_state
            continue
        transition = TRANSITIONS[action.kind]
        assert action.from_state == state, f"#{action.seq} {action.kind} from {action.from_state}, was {state}"
        assert state in transition.from_states, f"#{action.seq} {action.kind} not allowed in state {state}"
        assert action.actor_role in transition.roles or action.actor_role == SYSTEM_ROLE
        if action.actor_role == APPLICANT:
            assert action.actor_id == action.dossier.applicant_id and action.actor_agency_id is None
        else:
            assert action.actor_agency_id == action.dossier.agency_id
            assert action.actor.memberships.filter(agency_id=action.actor_agency_id, role=action.actor_role).exists()
        if transition.to_state == RESUME:
            state, resume = resume, None
        elif transition.to_state is not None:
            if transition.to_state == DossierState.SUPPLEMENT_REQUESTED:
                resume = state
            state = transition.to_state
        assert action.to_state == state
    return state


def test_every_action_log_replays_through_the_state_machine_to_its_dossiers_state(manifest, db):
    calendar = load_calendar()
    dossiers = Dossier.objects.select_related("procedure_version", "current_step").order_by("pk")
    logs: dict[int, list[DossierAction]] = {}
    for action in DossierAction.objects.select_related("dossier", "actor").order_by("dossier_id", "seq"):
        logs.setdefault(action.dossier_id, []).append(action)
    for dossier in dossiers:
        actions = logs[dossier.pk]
        assert replay(actions) == dossier.state, dossier.code
        assert [a.at for a in actions] == sorted(a.at for a in actions) and actions[-1].at <= END
        assert dossier.revision == len(actions)  # one per change, as the services count
        # Deadlines are the working-day calendar's, exactly as the services compute them from the log.
        if dossier.received_at is not None and dossier.state != DossierState.SUPPLEMENT_REQUESTED:
            assert dossier.appointment_at == deadlines.appointment_for(dossier, actions, calendar), dossier.code
        if dossier.current_step_id is not None:
            assert dossier.step_deadline == deadlines.step_deadline_for(
                dossier, start=dossier.step_started_at, calendar=calendar
            )
        if dossier.state == DossierState.SUPPLEMENT_REQUESTED:
            assert dossier.paused_at == actions[-1].at and dossier.resume_state == actions[-1].from_state


def test_the_code_counters_continue_after_the_filled_dossiers(manifest, db):
    numbers: dict[tuple[int, str], int] = {}
    for agency_id, code in Dossier.objects.values_list("agency_id", "code"):
        day, number = code.rsplit("-", 2)[1:]
        numbers[(agency_id, day)] = max(numbers.get((agency_id, day), 0), int(number))
    counters = {(c.agency_id, f"{c.day:%y%m%d}"): c.last for c in DossierCodeCounter.objects.all()}
    assert counters == numbers
    per_day = Counter(
        (agency_id, code.rsplit("-", 2)[1]) for agency_id, code in Dossier.objects.values_list("agency_id", "code")
    )
    assert per_day == numbers  # gap-free: the last number of a day is how many were filed that day


def test_the_fill_refuses_a_database_with_dossiers_and_production(manifest, db, tmp_path, settings):
    with pytest.raises(CommandError, match="already has dossiers"):
        call_command("bench_fill", dossiers=DOSSIERS, manifest=tmp_path / "again.json")
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("bench_fill", dossiers=DOSSIERS, manifest=tmp_path / "prod.json")
