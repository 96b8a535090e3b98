from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulationsConfig(AppConfig):
    """Quy định kinh doanh, phương án đơn giản hóa, chi phí tuân thủ — for now the compliance cost of procedures."""

    name = "motcua.regulations"
    label = "regulations"
    verbose_name = _("Chi phí tuân thủ thủ tục hành chính")
