"""Kho dữ liệu điện tử: the owner's documents, shares and access log; the share recipients' public pages.

Namespace portal:wallet. Views in views_wallet.py.
"""

from django.urls import path

from motcua.portal import views_wallet

urlpatterns = [
    # The owner (logged in)
    path("wallet/", views_wallet.documents, name="documents"),
    path("wallet/upload/", views_wallet.upload, name="upload"),
    path("wallet/documents/<uuid:pk>/", views_wallet.document, name="document"),
    path("wallet/documents/<uuid:pk>/file/", views_wallet.document_file, name="document_file"),
    path("wallet/documents/<uuid:pk>/delete/", views_wallet.document_delete, name="document_delete"),
    path("wallet/shares/", views_wallet.shares, name="shares"),
    path("wallet/shares/<uuid:pk>/revoke/", views_wallet.share_revoke, name="share_revoke"),
    path("wallet/access-log/", views_wallet.access_log, name="access_log"),
    # The recipient of a share (anyone with the code)
    path("shares/", views_wallet.share_entry, name="share_entry"),
    path("shares/<str:code>/", views_wallet.share, name="share"),
    path("shares/<str:code>/documents/<uuid:pk>/", views_wallet.share_document, name="share_document"),
]
