from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user (printed once; only its digest is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        row, token = issue_token(user=user, name=name)
        self.stdout.write(f"Token {row.prefix}… for {username} ({name}):\n{token}")
