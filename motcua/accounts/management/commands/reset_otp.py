"""Forget an account's authenticator (a lost phone): its next login leads through enrolment again."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts import services
from motcua.accounts.models import OtpDevice, User


class Command(BaseCommand):
    help = "Reset the one-time-code authenticator of an officer or operator (check who asks before you do)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}.")
        had_device = OtpDevice.objects.filter(user=user).exists()
        services.reset_totp(user=user)
        if had_device:
            self.stdout.write(f"{username}: authenticator reset; the next login enrols a new one.")
        else:
            self.stdout.write(f"{username} had no authenticator; the next login enrols one.")
