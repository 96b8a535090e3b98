"""The starting deadlines of feedback handling and the rating window. Administrators edit them in the admin;
migration 0002 loads them once, and the test worlds load them again after a transactional test has emptied the
tables.

Feedback (phản ánh, kiến nghị) deadlines follow the service index (QĐ 766/QĐ-TTg, group MDHL) as deployed
systems apply it *(practice: check against the decree in force and change them in the admin if it says
otherwise)*: refuse within 2 working days of receipt, ask for more information within 5, answer within 15,
publish the answer within 2 working days after answering. The 30-day rating window is a choice of this platform.
"""

from __future__ import annotations

RULES = [
    ("refuse", 2, "working_day", "QĐ 766/QĐ-TTg (nhóm MDHL)"),
    ("request_info", 5, "working_day", "QĐ 766/QĐ-TTg (nhóm MDHL)"),
    ("answer", 15, "working_day", "QĐ 766/QĐ-TTg (nhóm MDHL)"),
    ("publish", 2, "working_day", "QĐ 766/QĐ-TTg (nhóm MDHL)"),
    ("rating_change", 30, "calendar_day", ""),
]


def load(rule_model) -> None:
    """Create what is missing (never overwrite what an administrator changed); takes the model to use."""
    for kind, days, unit, basis in RULES:
        rule_model.objects.get_or_create(kind=kind, defaults={"days": days, "unit": unit, "legal_basis": basis})


def ensure() -> None:
    from motcua.feedback.models import FeedbackRule

    load(FeedbackRule)
