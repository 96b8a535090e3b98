"""Đánh giá mức độ hài lòng and phản ánh, kiến nghị: the applicant's rating of a dossier; anyone's feedback, its
tracking by code, and the public answers.

Namespace portal:feedback. Views in views_feedback.py.
"""

from django.urls import path

from motcua.portal import views_feedback

urlpatterns = [
    # The applicant (logged in): the rating of a finished dossier of theirs
    path("dossiers/<str:code>/rating/", views_feedback.rate_dossier, name="rate_dossier"),
    # Anyone: send feedback, read the published answers (before <code>/, which would match them)
    path("feedback/", views_feedback.new, name="new"),
    path("feedback/answers/", views_feedback.answers, name="answers"),
    path("feedback/track/", views_feedback.track, name="track"),
    # The sender, with the tracking code
    path("feedback/<str:code>/", views_feedback.status, name="status"),
    path("feedback/<str:code>/reply/", views_feedback.reply, name="reply"),
    path("feedback/<str:code>/rate/", views_feedback.rate, name="rate"),
]
