from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """Working days, holidays and overrides; appointment and step deadlines (ngày làm việc, hẹn trả kết quả)."""

    name = "motcua.workdays"
    label = "workdays"
    verbose_name = _("Ngày làm việc")
