from django.core.management.base import BaseCommand, CommandError

from motcua.accounts import otp_crypto, services


class Command(BaseCommand):
    help = (
        "Re-encrypt every authenticator (TOTP) secret with the first key of MOTCUA_OTP_KEY. To change the key: set "
        "MOTCUA_OTP_KEY=<new key>,<old key>, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        try:
            rotated, current = services.rotate_otp_secrets()
        except otp_crypto.SecretUnreadable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Re-encrypted {rotated} authenticator secret(s) with the first key of MOTCUA_OTP_KEY; "
            f"{current} already used it. Keys after the first are no longer needed."
        )
