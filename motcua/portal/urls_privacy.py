"""Quyền của chủ thể dữ liệu: consents, data-subject requests, the download of all one's data.

Namespace portal:privacy. Views in views_privacy.py.
"""

from django.urls import path

from motcua.portal import views_privacy

urlpatterns = [
    path("privacy/", views_privacy.overview, name="overview"),
]
