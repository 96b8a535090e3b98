from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """Đồng bộ: the national-portal connector — every dossier change pushed, signed and in order, to the national
    portal; and the registry of peer instances whose signed messages this instance accepts."""

    name = "motcua.sync"
    label = "sync"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        from motcua.sync import handlers  # noqa: F401  (subscribes the connector to dossier actions)
