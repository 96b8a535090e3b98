from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    """Signing (ký số): PDF rendering of the one-stop forms 01–07 and of results; PAdES signatures later."""

    name = "motcua.signing"
    label = "signing"
    verbose_name = _("Biểu mẫu và ký số")

    def ready(self) -> None:
        import logging

        # WeasyPrint reports each rendering step at INFO; the forms' logs need only its warnings.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

        from motcua.signing import receivers  # noqa: F401  (issues the result of every approval)
