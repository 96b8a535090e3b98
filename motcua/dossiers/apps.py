from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    """Dossiers (hồ sơ): submission, the state machine, reception, processing steps and deadlines."""

    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.dossiers import personal_data  # noqa: F401  (answers the wallet's data-subject requests)
