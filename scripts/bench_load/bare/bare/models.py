from django.db import models


class Record(models.Model):  # noqa: DJ008 (never shown)
    """One row of the baseline table: about as wide as a dossier summary."""

    code = models.CharField(max_length=40)
    state = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "bare"
