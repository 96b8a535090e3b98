"""Kho dữ liệu điện tử: the owner's documents, shares and access log; the share recipients' public page.

Namespace portal:wallet. Views in views_wallet.py (placeholders until the pages land).
"""

from django.urls import path

from motcua.portal import views_wallet

urlpatterns = [
    path("wallet/", views_wallet.documents, name="documents"),
]
