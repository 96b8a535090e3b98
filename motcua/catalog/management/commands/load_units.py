from django.core.management.base import BaseCommand

from motcua.catalog.services import load_administrative_units


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes in force since 1 July 2025 (package vietnam-provinces)."

    def handle(self, *args, **options):
        provinces, communes = load_administrative_units()
        self.stdout.write(f"Administrative units: {provinces} provinces and {communes} communes added.")
