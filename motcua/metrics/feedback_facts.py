"""What the index counts of one feedback (phản ánh, kiến nghị — group MDHL): its day deltas, from its row.

Pure: `contributions(feedback)` reads the dates and on-time flags the feedback services keep, the way
feedback.queries.feedback_handling_between counts them (the tests hold the two equal):
- each step (received, refused, asked for information, answered, published, rated by the sender) counts on the
  day it happened, with its on-time flag;
- it stands open from the day it was received until the day it was answered or refused, and overdue from the day
  of its answer deadline while still open (never while waiting for the sender: then it has no answer deadline).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.feedback.models import SATISFIED_LEVELS
from motcua.metrics import measures as m
from motcua.metrics.facts import Deltas


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def contributions(feedback) -> dict[str, int]:
    """The feedback's share of DailyCount as "measure|YYYY-MM-DD" → delta."""
    found = Deltas()
    received = _day(feedback.received_at)
    found.add(m.FEEDBACK_RECEIVED, received)
    steps = (
        (feedback.refused_at, m.FEEDBACK_REFUSED, m.FEEDBACK_REFUSED_ON_TIME, feedback.refused_on_time),
        (feedback.info_requested_at, m.FEEDBACK_INFO_REQUESTED, m.FEEDBACK_INFO_REQUESTED_ON_TIME,
         feedback.info_requested_on_time),
        (feedback.answered_at, m.FEEDBACK_ANSWERED, m.FEEDBACK_ANSWERED_ON_TIME, feedback.answered_on_time),
        (feedback.published_at, m.FEEDBACK_PUBLISHED, m.FEEDBACK_PUBLISHED_ON_TIME, feedback.published_on_time),
    )  # fmt: skip
    for moment, measure, on_time_measure, on_time in steps:
        if moment is not None:
            found.add(measure, _day(moment))
            found.add(on_time_measure, _day(moment), int(bool(on_time)))
    if feedback.sender_rated_at is not None:
        found.add(m.FEEDBACK_RATED, _day(feedback.sender_rated_at))
        found.add(m.FEEDBACK_RATED_SATISFIED, _day(feedback.sender_rated_at),
                  int(feedback.sender_rating in SATISFIED_LEVELS))  # fmt: skip
    ends = [moment for moment in (feedback.answered_at, feedback.refused_at) if moment is not None]
    handled = _day(min(ends)) if ends else None
    found.add(m.FEEDBACK_OPEN, received)
    if handled is not None:
        found.add(m.FEEDBACK_OPEN, handled, -1)
    if feedback.answer_due is not None:
        overdue = max(_day(feedback.answer_due), received)
        if handled is None or overdue < handled:
            found.add(m.FEEDBACK_OPEN_OVERDUE, overdue)
            if handled is not None:
                found.add(m.FEEDBACK_OPEN_OVERDUE, handled, -1)
    return dict(found)
