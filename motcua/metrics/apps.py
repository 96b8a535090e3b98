from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    """Đo lường: the service index (QĐ 766/QĐ-TTg) and report II.06a, from incremental roll-ups of dossier actions."""

    name = "motcua.metrics"
    label = "metrics"
    verbose_name = _("Chỉ số phục vụ, báo cáo thống kê")

    def ready(self) -> None:
        from motcua.metrics import handlers  # noqa: F401  (subscribes the roll-ups to dossier actions)
