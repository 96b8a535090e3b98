"""Quyền của chủ thể dữ liệu: consents, data-subject requests, the download of all one's data.

Namespace portal:privacy. Views in views_privacy.py.
"""

from django.urls import path

from motcua.portal import views_privacy

urlpatterns = [
    path("privacy/", views_privacy.overview, name="overview"),
    path("privacy/consents/give/", views_privacy.give_consent, name="give_consent"),
    path("privacy/consents/<int:consent_id>/", views_privacy.consent, name="consent"),
    path("privacy/consents/<int:consent_id>/withdraw/", views_privacy.withdraw_consent, name="withdraw_consent"),
    path("privacy/requests/", views_privacy.requests, name="requests"),
    path("privacy/requests/<int:request_id>/cancel/", views_privacy.cancel_request, name="cancel_request"),
    path("privacy/restriction/lift/", views_privacy.lift_restriction, name="lift_restriction"),
    path("privacy/export/", views_privacy.export, name="export"),
]
