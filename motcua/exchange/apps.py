from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Liên thông văn bản: agencies send signed packages (official letters, inter-agency dossier steps) to agencies
    on this instance or another; the receiver answers with a signed, time-stamped receipt and later reports the
    package processed or returned."""

    name = "motcua.exchange"
    label = "exchange"
    verbose_name = _("Liên thông văn bản")

    def ready(self) -> None:
        from motcua.exchange import handlers  # noqa: F401  (registers the delivery handlers of the outbox)
