from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: request ids, logging, health, text folding, the API error format."""

    name = "motcua.core"
    label = "core"
