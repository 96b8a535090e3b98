from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The officers' back office: worklists, the dossier page with its actions, direct registration at the desk."""

    name = "motcua.backoffice"
    label = "backoffice"
    verbose_name = _("Khu vực cán bộ")
