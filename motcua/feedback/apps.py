from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Mức độ hài lòng và phản ánh, kiến nghị (PAKN): ratings of dossiers, citizens' feedback and its handling."""

    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Đánh giá, phản ánh, kiến nghị")

    def ready(self) -> None:
        from motcua.feedback import personal_data  # noqa: F401  (answers the wallet's data-subject requests)
