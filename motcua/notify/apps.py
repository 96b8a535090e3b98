from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notifications (thông báo): in-app messages and email, emailed through the outbox after commit."""

    name = "motcua.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from motcua.notify import handlers, personal_data  # noqa: F401  (outbox handlers; data-subject requests)
