from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Applicants (citizens, organisations) and officers, with roles scoped to agencies."""

    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")
