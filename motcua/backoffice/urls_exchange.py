"""Liên thông văn bản in the back office (namespace backoffice:exchange). Views in views_exchange.py."""

from django.urls import path

from motcua.backoffice import views_exchange

urlpatterns = [
    path("exchange/", views_exchange.packages, name="index"),
    path("exchange/<uuid:package_id>/", views_exchange.package, name="package"),
]
