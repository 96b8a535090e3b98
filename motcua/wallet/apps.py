from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    """Kho dữ liệu điện tử của cá nhân, tổ chức: documents, their reuse and sharing, consent and access log."""

    name = "motcua.wallet"
    label = "wallet"
    verbose_name = _("Kho dữ liệu điện tử")
