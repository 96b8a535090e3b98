from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The citizen-facing portal: layout, home page, error pages."""

    name = "motcua.portal"
    label = "portal"
