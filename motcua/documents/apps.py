from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Stored documents (tài liệu lưu trữ): checked uploads that dossiers and the wallet refer to."""

    name = "motcua.documents"
    label = "documents"
    verbose_name = _("Tài liệu")
