"""The events the feedback part publishes through the outbox (motcua.events), for the metrics engine to follow.

Payloads: FEEDBACK_RECORDED {"feedback": id, "event": event id, "kind", "status", "agency": agency id};
DOSSIER_RATED {"rating": id, "dossier": code, "agency": agency id, "level"}.
"""

FEEDBACK_RECORDED = "feedback.recorded"
DOSSIER_RATED = "feedback.dossier_rated"
