"""Consent per purpose and the data subject's requests (services level): Luật 91/2025/QH15, NĐ 356/2025/NĐ-CP.

Nguyễn Thị Hoa consents explicitly, withdraws as easily, and gives again; her requests are due by the rule for
their kind; restricting processing stops her shares until she lifts it. Trần Văn Bình cannot touch any of it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers.tests.factories import World, at, build_world, pdf
from motcua.wallet import queries, services
from motcua.wallet.errors import NotFound, ShareUnavailable, WalletInvalid, WalletNotAllowed
from motcua.wallet.models import (
    Consent,
    ConsentPurpose,
    RightsRequest,
    RightsRequestKind,
    RightsRequestRule,
    RightsRequestStatus,
    Share,
)
from motcua.wallet.prefill import reuse_consented

REUSE = "tai-su-dung-du-lieu"
EMAIL = "thong-bao-dien-tu"


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


# ----- consent -----------------------------------------------------------------------------------------------------


def test_the_seeded_purposes_say_what_is_processed_and_on_what_basis(db):
    purposes = {purpose.code: purpose for purpose in queries.active_purposes()}
    assert set(purposes) == {REUSE, EMAIL}
    for purpose in purposes.values():
        assert purpose.statement and purpose.statement_en and purpose.name_en
        assert purpose.data_categories
        assert "91/2025/QH15" in purpose.legal_basis


def test_nothing_is_consented_until_the_subject_says_so(world):
    assert not Consent.objects.filter(subject=world.owner).exists()
    assert not reuse_consented(world.owner)


def test_consent_keeps_the_statement_as_it_read_and_giving_twice_keeps_the_first(world):
    first = services.give_consent(subject=world.owner, purpose_code=REUSE, now=at(2026, 11, 2, 9))
    again = services.give_consent(subject=world.owner, purpose_code=REUSE, now=at(2026, 11, 2, 9, 1))
    assert again == first and again.given_at == at(2026, 11, 2, 9)
    assert Consent.objects.filter(subject=world.owner).count() == 1
    assert reuse_consented(world.owner)

    # The operator rewrites the purpose later: the record keeps the words Hoa agreed to, and their version.
    purpose = ConsentPurpose.objects.get(code=REUSE)
    as_agreed = purpose.statement
    purpose.statement, purpose.version = "Nội dung mới, rộng hơn.", 2
    purpose.save()
    first.refresh_from_db()
    assert first.statement == as_agreed and first.purpose_version == 1


def test_withdrawing_keeps_the_record_and_giving_again_makes_a_new_one(world):
    first = services.give_consent(subject=world.owner, purpose_code=REUSE, now=at(2026, 11, 2, 9))
    withdrawn = services.withdraw_consent(subject=world.owner, consent_id=first.pk, now=at(2026, 11, 5, 9))
    assert withdrawn.withdrawn_at == at(2026, 11, 5, 9)
    assert not reuse_consented(world.owner)
    # Withdrawing twice changes nothing.
    assert services.withdraw_consent(subject=world.owner, consent_id=first.pk).withdrawn_at == at(2026, 11, 5, 9)

    second = services.give_consent(subject=world.owner, purpose_code=REUSE, now=at(2026, 11, 9, 9))
    assert second.pk != first.pk and second.withdrawn_at is None
    first.refresh_from_db()
    assert first.withdrawn_at == at(2026, 11, 5, 9)  # the old record stays, as evidence
    assert list(queries.consents_of(world.owner)) == [second, first]
    assert reuse_consented(world.owner)


def test_a_withdrawal_is_never_before_the_consent(world):
    consent = services.give_consent(subject=world.owner, purpose_code=EMAIL, now=at(2026, 11, 2, 9))
    withdrawn = services.withdraw_consent(subject=world.owner, consent_id=consent.pk, now=at(2026, 11, 1, 9))
    assert withdrawn.withdrawn_at == consent.given_at


def test_only_an_active_purpose_can_be_consented_to(world):
    ConsentPurpose.objects.filter(code=EMAIL).update(is_active=False)
    with pytest.raises(NotFound):
        services.give_consent(subject=world.owner, purpose_code=EMAIL)
    with pytest.raises(NotFound):
        services.give_consent(subject=world.owner, purpose_code="khong-co")
    assert [purpose.code for purpose in queries.active_purposes()] == [REUSE]


def test_another_citizens_consent_is_not_found(world):
    consent = services.give_consent(subject=world.owner, purpose_code=REUSE)
    with pytest.raises(NotFound):
        services.withdraw_consent(subject=world.other_citizen, consent_id=consent.pk)
    with pytest.raises(NotFound):
        queries.consent_of(world.other_citizen, consent.pk)
    with pytest.raises(NotFound):
        queries.consent_of(world.owner, "not-a-number")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# ----- requests and their deadlines --------------------------------------------------------------------------------


def test_each_request_is_due_by_the_rule_for_its_kind(world):
    RightsRequestRule.objects.filter(kind=RightsRequestKind.OBJECTION).update(response_hours=48)
    submitted = at(2026, 11, 2, 16, 30)
    correction = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.CORRECTION, details="Số điện thoại đúng là 0905 123 456.",
        now=submitted,
    )  # fmt: skip
    objection = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.OBJECTION, details="Không đồng ý gửi thư quảng cáo.",
        now=submitted,
    )  # fmt: skip
    assert correction.due_at == submitted + dt.timedelta(hours=72) == at(2026, 11, 5, 16, 30)
    assert objection.due_at == at(2026, 11, 4, 16, 30)
    assert correction.status == objection.status == RightsRequestStatus.RECEIVED
    assert correction.closed_at is None

    # Past its deadline, the request is the first an operator sees.
    assert list(queries.overdue_rights_requests(now=at(2026, 11, 4, 17))) == [objection]
    assert list(queries.overdue_rights_requests(now=at(2026, 11, 5, 17))) == [objection, correction]


def test_a_request_needs_a_kind_and_the_details_it_is_about(world):
    with pytest.raises(WalletInvalid) as invalid:
        services.submit_rights_request(subject=world.owner, kind="", details="")
    assert set(invalid.value.errors) == {"kind"}
    for kind in (RightsRequestKind.CORRECTION, RightsRequestKind.OBJECTION):
        with pytest.raises(WalletInvalid) as invalid:
            services.submit_rights_request(subject=world.owner, kind=kind, details="   ")
        assert invalid.value.errors == {"details": "Hãy nêu rõ dữ liệu nào và yêu cầu gì."}
    with pytest.raises(WalletInvalid):
        services.submit_rights_request(
            subject=world.owner, kind=RightsRequestKind.CORRECTION, details="x" * (services.MAX_DETAILS + 1)
        )
    assert not RightsRequest.objects.exists()


def test_a_kind_without_a_deadline_is_refused(world):
    RightsRequestRule.objects.filter(kind=RightsRequestKind.CORRECTION).delete()
    with pytest.raises(WalletNotAllowed):
        services.submit_rights_request(subject=world.owner, kind=RightsRequestKind.CORRECTION, details="Sửa tên.")
    assert not RightsRequest.objects.exists()


def test_the_subject_cancels_a_waiting_request_but_not_anothers(world):
    request = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.CORRECTION, details="Sửa địa chỉ thư điện tử."
    )
    with pytest.raises(NotFound):
        services.cancel_rights_request(subject=world.other_citizen, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RightsRequestStatus.RECEIVED

    cancelled = services.cancel_rights_request(subject=world.owner, request_id=request.pk, now=at(2026, 11, 3, 9))
    assert cancelled.status == RightsRequestStatus.CANCELLED and cancelled.closed_at is not None
    with pytest.raises(WalletNotAllowed):
        services.cancel_rights_request(subject=world.owner, request_id=request.pk)


def test_an_answered_request_cannot_be_cancelled(world):
    request = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.CORRECTION, details="Sửa số điện thoại."
    )
    services.answer_rights_request(request_id=request.pk, status=RightsRequestStatus.DONE, answer="Đã sửa.")
    request.refresh_from_db()
    assert request.answer == "Đã sửa." and request.status == RightsRequestStatus.DONE
    with pytest.raises(WalletNotAllowed):
        services.cancel_rights_request(subject=world.owner, request_id=request.pk)


# ----- restriction of processing -----------------------------------------------------------------------------------


def share_a_paper(world: World, *, now: dt.datetime) -> tuple[Share, str]:
    paper = services.add_uploaded_document(
        owner=world.owner, upload=pdf("cccd.pdf"), title="Căn cước (bản chụp)", document_type=None, now=now
    )
    return services.create_share(
        owner=world.owner, document_ids=[paper.pk], recipient="Công ty Bảo hiểm A", purpose="Hồ sơ bảo hiểm",
        valid_days=30, max_views=5, now=now,
    )  # fmt: skip


def test_a_restriction_stops_shares_until_it_is_lifted(world):
    share, code = share_a_paper(world, now=at(2026, 11, 2, 9))
    racing, racing_code = share_a_paper(world, now=at(2026, 11, 2, 9, 30))
    services.open_share(code=code, now=at(2026, 11, 2, 10))

    restriction = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.RESTRICTION, details="", now=at(2026, 11, 3, 9)
    )
    assert restriction.status == RightsRequestStatus.DONE and restriction.outcome == {"shares_revoked": 2}
    assert queries.restriction_in_force(world.owner) == restriction
    share.refresh_from_db()
    assert share.revoked_at == at(2026, 11, 3, 9)
    # No share opens and none can be made while it is in force; asking again is refused.
    with pytest.raises(ShareUnavailable):
        services.open_share(code=code, now=at(2026, 11, 3, 10))
    # Even a share that escaped the revocation (made in a race with the restriction) does not open.
    Share.objects.filter(pk=racing.pk).update(revoked_at=None)
    with pytest.raises(ShareUnavailable):
        services.open_share(code=racing_code, now=at(2026, 11, 3, 10))
    with pytest.raises(WalletNotAllowed):
        share_a_paper(world, now=at(2026, 11, 3, 11))
    with pytest.raises(WalletNotAllowed):
        services.submit_rights_request(subject=world.owner, kind=RightsRequestKind.RESTRICTION, details="")
    assert RightsRequest.objects.filter(subject=world.owner).count() == 1

    lifted = services.lift_restriction(subject=world.owner, now=at(2026, 11, 4, 9))
    assert lifted.pk == restriction.pk and lifted.lifted_at == at(2026, 11, 4, 9)
    assert queries.restriction_in_force(world.owner) is None
    with pytest.raises(NotFound):
        services.lift_restriction(subject=world.owner)
    # Sharing works again; the share revoked by the restriction stays revoked.
    new_share, new_code = share_a_paper(world, now=at(2026, 11, 4, 10))
    assert services.open_share(code=new_code, now=at(2026, 11, 4, 11))[0] == new_share
    with pytest.raises(ShareUnavailable):
        services.open_share(code=code, now=at(2026, 11, 4, 11))

    # And a new restriction can be asked for later.
    services.submit_rights_request(subject=world.owner, kind=RightsRequestKind.RESTRICTION, details="")
    assert queries.restriction_in_force(world.owner) is not None


def test_a_restriction_is_the_subjects_own(world):
    _share, code = share_a_paper(world, now=at(2026, 11, 2, 9))
    services.submit_rights_request(subject=world.other_citizen, kind=RightsRequestKind.RESTRICTION, details="")
    assert queries.restriction_in_force(world.owner) is None
    assert services.open_share(code=code, now=at(2026, 11, 2, 10))
    with pytest.raises(NotFound):
        services.lift_restriction(subject=world.owner)
    assert queries.restriction_in_force(world.other_citizen) is not None
