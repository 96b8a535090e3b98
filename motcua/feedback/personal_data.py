"""The feedback part of a data subject's download (wallet.signals; connected in FeedbackConfig.ready).

Erasure is not answered here: ratings and petitions are records of the agencies' handling, kept like the
dossiers they are about (the privacy page names what each part keeps).
"""

from __future__ import annotations

from django.dispatch import receiver

from motcua.feedback.models import Feedback, Rating
from motcua.wallet.signals import ExportSection, personal_data_requested


@receiver(personal_data_requested, dispatch_uid="feedback.personal_data")
def export_feedback(sender, *, subject, **kwargs) -> list[ExportSection]:
    ratings = Rating.objects.filter(applicant=subject).select_related("dossier").order_by("rated_at")
    rating_records = [
        {"dossier": r.dossier.code, "level": r.level, "comment": r.comment, "rated_at": r.rated_at,
         "changed_at": r.changed_at}
        for r in ratings
    ]  # fmt: skip
    sent = Feedback.objects.filter(sender=subject).select_related("agency", "procedure", "dossier")
    feedback_records = [
        {
            "received_at": f.received_at,
            "agency": f.agency.identifier,
            "agency_name": f.agency.name,
            "procedure": f.procedure.code if f.procedure else None,
            "dossier": f.dossier.code if f.dossier else None,
            "sender_name": f.sender_name,
            "sender_email": f.sender_email,
            "sender_phone": f.sender_phone,
            "content": f.content,
            "status": f.status,
            "info_request": f.info_request,
            "info_reply": f.info_reply,
            "refusal_reason": f.refusal_reason,
            "answer": f.answer,
            "answered_at": f.answered_at,
            "published_at": f.published_at,
            "rating": f.sender_rating,
            "rating_comment": f.sender_rating_comment,
        }  # fmt: skip
        for f in sent.order_by("received_at")
    ]
    # Only what there is: most subjects never rate nor send feedback, and their download stays as it was.
    sections = [ExportSection("ratings", rating_records), ExportSection("feedback", feedback_records)]
    return [section for section in sections if section.records]
