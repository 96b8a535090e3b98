"""Đánh giá mức độ hài lòng: who may rate which dossier, when, how often; and the counts the index reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from motcua.dossiers.tests.factories import at
from motcua.feedback import queries, services
from motcua.feedback.errors import FeedbackInvalid, FeedbackNotAllowed, NotFound
from motcua.feedback.models import FeedbackRule, Rating, RatingLevel, RuleKind
from motcua.feedback.tests.conftest import filed, returned, stopped


def rate(dossier, user, level="satisfied", comment="", now=None):
    return services.rate_dossier(
        dossier_code=dossier.code, applicant=user, level=level, comment=comment, now=now or at(2026, 11, 30, 10)
    )


def test_the_applicant_rates_a_returned_dossier(world, returned_dossier):
    rating = rate(returned_dossier, world.owner, "very_satisfied", "  Cán bộ hướng dẫn tận tình.  ")
    assert rating.level == RatingLevel.VERY_SATISFIED
    assert rating.comment == "Cán bộ hướng dẫn tận tình."
    assert rating.agency == world.agency
    assert rating.rated_at == at(2026, 11, 30, 10)
    assert rating.changeable_until == at(2026, 12, 30, 10)  # 30 calendar days by default
    assert queries.rating_of(returned_dossier) == rating


def test_a_stopped_dossier_can_be_rated(world):
    dossier = stopped(world)
    assert rate(dossier, world.owner, "not_satisfied").level == RatingLevel.NOT_SATISFIED


def test_an_unfinished_dossier_cannot_be_rated(world):
    dossier = filed(world)
    with pytest.raises(FeedbackNotAllowed, match="đã trả kết quả hoặc đã dừng xử lý"):
        rate(dossier, world.owner)
    assert queries.rating_of(dossier) is None


def test_rating_checks_ownership(world, returned_dossier):
    for stranger in (world.other_citizen, world.reception, world.other_officer):
        with pytest.raises(NotFound):
            rate(returned_dossier, stranger)
    with pytest.raises(NotFound):
        services.rate_dossier(dossier_code="KHONG-CO", applicant=world.owner, level="satisfied")
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("level", "comment", "field"),
    [("", "", "level"), ("happy", "", "level"), ("satisfied", "x" * 2001, "comment")],
)
def test_invalid_ratings_say_where(world, returned_dossier, level, comment, field):
    with pytest.raises(FeedbackInvalid) as refused:
        rate(returned_dossier, world.owner, level, comment)
    assert field in refused.value.errors


def test_a_rating_changes_within_its_window_then_is_frozen(world, returned_dossier):
    first = rate(returned_dossier, world.owner, "not_satisfied", now=at(2026, 11, 30, 10))
    changed = rate(returned_dossier, world.owner, "satisfied", "Đã được giải thích.", now=at(2026, 12, 30, 10))
    assert changed.pk == first.pk
    assert (changed.level, changed.changes, changed.changed_at) == ("satisfied", 1, at(2026, 12, 30, 10))
    with pytest.raises(FeedbackNotAllowed, match="đã được chốt"):
        rate(returned_dossier, world.owner, "very_satisfied", now=at(2026, 12, 30, 10, 1))
    assert Rating.objects.get().level == "satisfied"


def test_the_window_is_data(world, returned_dossier):
    FeedbackRule.objects.filter(kind=RuleKind.RATING_CHANGE).update(days=7)
    assert rate(returned_dossier, world.owner).changeable_until == at(2026, 12, 7, 10)


def test_the_same_rating_twice_is_one_rating_unchanged(world, returned_dossier):
    first = rate(returned_dossier, world.owner, "satisfied", "Tốt")
    again = rate(returned_dossier, world.owner, "satisfied", "Tốt", now=at(2026, 12, 1, 10))
    assert again.pk == first.pk and again.changes == 0
    assert Rating.objects.count() == 1


def test_one_rating_per_dossier_in_the_database(world, returned_dossier):
    rating = rate(returned_dossier, world.owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            dossier=returned_dossier, agency=world.agency, applicant=world.owner, level="satisfied",
            rated_at=rating.rated_at, changeable_until=rating.changeable_until,
        )  # fmt: skip


def test_rating_panel(world, returned_dossier):
    panel = queries.rating_panel(world.owner, returned_dossier, now=at(2026, 11, 30))
    assert (panel.rateable, panel.rating, panel.can_rate) == (True, None, True)
    rate(returned_dossier, world.owner)
    panel = queries.rating_panel(world.owner, returned_dossier, now=at(2027, 1, 30))
    assert panel.rating is not None and panel.frozen
    assert not queries.rating_panel(world.other_citizen, returned_dossier).rateable
    assert not queries.rating_panel(world.owner, filed(world)).rateable


def test_ratings_between_counts_levels_by_agency_and_period(world):
    levels = ["very_satisfied", "satisfied", "satisfied", "not_satisfied"]
    days = [at(2026, 12, 1, 0, 0), at(2026, 12, 15), at(2026, 12, 31, 23, 59), at(2027, 1, 1, 0, 0)]
    for level, day in zip(levels, days, strict=True):
        rate(returned(world), world.owner, level, now=day)
    december = queries.ratings_between([world.agency.pk], dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert december == {"very_satisfied": 1, "satisfied": 2, "not_satisfied": 0, "rated": 3, "rated_satisfied": 3}
    january = queries.ratings_between([world.agency.pk], dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert (january["rated"], january["rated_satisfied"], january["not_satisfied"]) == (1, 0, 1)
    other = queries.ratings_between([world.other_agency.pk], dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert other["rated"] == 0


def test_the_subjects_download_holds_their_ratings_and_feedback(world, returned_dossier):
    from motcua.feedback.personal_data import export_feedback

    assert export_feedback(None, subject=world.owner) == []
    rate(returned_dossier, world.owner, "satisfied", "Tốt")
    services.submit_feedback(sender=world.owner, name="Nguyễn Thị Hoa", email="hoa@example.vn", content="Góp ý",
                             agency_identifier=world.agency.identifier, idempotency_key="key-1")  # fmt: skip
    sections = {section.name: section.records for section in export_feedback(None, subject=world.owner)}
    assert sections["ratings"][0]["dossier"] == returned_dossier.code and sections["ratings"][0]["level"] == "satisfied"
    assert sections["feedback"][0]["content"] == "Góp ý" and sections["feedback"][0]["sender_email"] == "hoa@example.vn"
    assert export_feedback(None, subject=world.other_citizen) == []
