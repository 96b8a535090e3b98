"""Đồng bộ Cổng quốc gia in the back office (namespace backoffice:sync). Views in views_sync.py."""

from django.urls import path

from motcua.backoffice import views_sync

urlpatterns = [
    path("sync/", views_sync.sync, name="index"),
    path("national/", views_sync.national, name="national"),
]
