"""Fill the baseline table with N rows (one INSERT ... SELECT on PostgreSQL, batches on SQLite)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from bare.models import Record


class Command(BaseCommand):
    help = "Fill the bare baseline table with --rows rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)

    def handle(self, *args, rows: int, **options):
        table = Record._meta.db_table
        with transaction.atomic():
            Record.objects.all().delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {table} (id, code, state, name, created_at, updated_at, revision) "
                        "SELECT n, 'REC-' || n, 1 + n %% 10, 'Bản ghi số ' || n, now(), now(), 0 "
                        "FROM generate_series(1, %s) AS n",
                        [rows],
                    )
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [rows])
                    cursor.execute(f"ANALYZE {table}")
            else:
                now = timezone.now()
                batch = [
                    Record(
                        id=n, code=f"REC-{n}", state=1 + n % 10, name=f"Bản ghi số {n}", created_at=now, updated_at=now
                    )
                    for n in range(1, rows + 1)
                ]
                Record.objects.bulk_create(batch, batch_size=2000)
        self.stdout.write(f"{rows} rows")
