"""Statistical reports in the back office (namespace backoffice:reports). Views in views_reports.py."""

from django.urls import path

from motcua.backoffice import views_reports

urlpatterns = [
    path("reports/ii06a/", views_reports.ii06a, name="ii06a"),
]
