from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    """Cổng quốc gia: the national instance's side of status sync — it receives the signed pushes of the registered
    instances, keeps each dossier's status and history (never its files), and serves the national lookup."""

    name = "motcua.national"
    label = "national"
    verbose_name = _("Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        from motcua.national import loopback  # noqa: F401  (registers the development connector)
