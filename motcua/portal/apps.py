from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The citizen-facing portal: layout, home and error pages, applying online, my dossiers, notifications, lookup."""

    name = "motcua.portal"
    label = "portal"
