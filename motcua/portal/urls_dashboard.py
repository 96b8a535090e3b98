"""Chỉ số phục vụ (public dashboards): namespace portal:dashboard. Views in views_dashboard.py."""

from django.urls import path

from motcua.portal import views_dashboard

urlpatterns = [
    path("service-index/", views_dashboard.index, name="index"),
    path("service-index/<str:identifier>/", views_dashboard.agency, name="agency"),
]
