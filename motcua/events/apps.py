from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events (sự kiện): the transactional outbox through which work leaves a transaction for the workers."""

    name = "motcua.events"
    label = "events"
    verbose_name = _("Hàng đợi sự kiện")
