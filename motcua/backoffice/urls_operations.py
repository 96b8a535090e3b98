"""Bảng điều hành in the back office (namespace backoffice:operations). Views in views_operations.py."""

from django.urls import path

from motcua.backoffice import views_operations

urlpatterns = [
    path("operations/", views_operations.operations, name="index"),
    path("operations/dossiers/", views_operations.dossiers, name="dossiers"),
]
