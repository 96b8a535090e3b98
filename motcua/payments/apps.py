from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Payments (thanh toán): fees → bills, gateway plugins, the payment ledger and IPN handling."""

    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self) -> None:
        from motcua.payments import personal_data, receivers  # noqa: F401  (dossier events; data-subject requests)
