"""Data: the monthly counts of an existing database, summed from its day counts (the reverse empties them)."""

from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth


def fill(apps, schema_editor):
    DailyCount = apps.get_model("metrics", "DailyCount")
    MonthlyCount = apps.get_model("metrics", "MonthlyCount")
    rows = (
        DailyCount.objects.annotate(month=TruncMonth("day"))
        .values("agency_id", "month", "measure")
        .annotate(total=Sum("value"))
        .order_by()
    )
    MonthlyCount.objects.bulk_create(
        (
            MonthlyCount(agency_id=row["agency_id"], month=row["month"], measure=row["measure"], value=row["total"])
            for row in rows.iterator()
            if row["total"]
        ),
        batch_size=1000,
    )


def empty(apps, schema_editor):
    apps.get_model("metrics", "MonthlyCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0006_monthly_counts")]

    operations = [migrations.RunPython(fill, empty)]
