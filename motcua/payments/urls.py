from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("bills/<int:bill_id>/pay/", views.start, name="start"),
    path("receipts/<str:txn_ref>.pdf", views.receipt, name="receipt"),
    path("reconciliation/<str:identifier>.xlsx", views.reconciliation_xlsx, name="reconciliation_xlsx"),
    path("reconciliation/<str:identifier>/", views.reconciliation_page, name="reconciliation"),
    path(
        "reconciliation/<str:identifier>/snapshots/<int:snapshot_id>.xlsx",
        views.reconciliation_snapshot,
        name="reconciliation_snapshot",
    ),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("sandbox/pay/<str:txn_ref>/", views.sandbox_pay, name="sandbox_pay"),
    path("<slug:gateway>/return/", views.gateway_return, name="return"),
]
