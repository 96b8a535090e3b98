from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: a real province, its agencies and a real procedure catalogue."""

    name = "motcua.demo"
    label = "demo"
