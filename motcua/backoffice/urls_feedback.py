"""Phản ánh, kiến nghị in the back office: the agency's worklist, one feedback, and the officer's steps.

Namespace backoffice:feedback. Views in views_feedback.py.
"""

from django.urls import path

from motcua.backoffice import views_feedback

urlpatterns = [
    path("feedback/", views_feedback.worklist, name="worklist"),
    path("feedback/<uuid:pk>/", views_feedback.detail, name="detail"),
    path("feedback/<uuid:pk>/<slug:step>/", views_feedback.act, name="act"),
]
