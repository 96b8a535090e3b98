"""Double clicks with real threads and real connections: one feedback per key (all answered with its code), one
rating per dossier, one answer per feedback.

Meant for PostgreSQL (row locks, unique constraints under concurrency); on SQLite the write lock serialises them.
"""

from __future__ import annotations

import uuid

import pytest

from motcua.core.testing import run_together
from motcua.dossiers.tests.factories import at
from motcua.feedback import services
from motcua.feedback.errors import FeedbackNotAllowed
from motcua.feedback.models import Feedback, FeedbackEvent, Rating
from motcua.feedback.tests.conftest import returned

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_key_sent_three_times_at_once_is_one_feedback_with_one_code(world):
    key = str(uuid.uuid4())

    def submit():
        return services.submit_feedback(
            sender=None, name="Lê Văn Cường", email="cuong@example.vn", content="Trả kết quả chậm.",
            agency_identifier=world.agency.identifier, idempotency_key=key, now=at(2026, 11, 23, 9),
        )  # fmt: skip

    results = run_together([submit, submit, submit])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert len({result.feedback.pk for result in results}) == 1 and len({result.code for result in results}) == 1
    assert sum(result.created for result in results) == 1
    assert Feedback.objects.count() == 1 and FeedbackEvent.objects.count() == 1


def test_two_first_ratings_at_once_make_one_rating(world):
    dossier = returned(world)

    def rate(level):
        return lambda: services.rate_dossier(
            dossier_code=dossier.code, applicant=world.owner, level=level, now=at(2026, 11, 30, 10)
        )

    results = run_together([rate("satisfied"), rate("not_satisfied")])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert Rating.objects.count() == 1
    assert Rating.objects.get().changes == 1  # the second one changed the first


def test_two_officers_answering_at_once_one_wins(world):
    feedback = services.submit_feedback(
        sender=None, name="A", email="a@example.vn", content="B", agency_identifier=world.agency.identifier,
        idempotency_key=str(uuid.uuid4()), now=at(2026, 11, 23, 9),
    ).feedback  # fmt: skip

    def answer(officer):
        return lambda: services.answer_feedback(feedback_id=feedback.pk, officer=officer, answer=f"Trả lời {officer}")

    results = run_together([answer(world.reception), answer(world.specialist)])
    assert sum(isinstance(result, FeedbackNotAllowed) for result in results) == 1, results
    assert FeedbackEvent.objects.filter(feedback=feedback, kind="answer").count() == 1
