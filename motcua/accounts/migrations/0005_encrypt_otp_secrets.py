# Encrypts the authenticator secrets stored in clear with the first key of MOTCUA_OTP_KEY (settings.MOTCUA_OTP_KEYS);
# backwards, decrypts them again. Secrets already encrypted are left as they are, so it can run twice. It does
# its own Fernet work rather than import motcua.accounts.otp_crypto, which may change after it.

import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import migrations

CLEAR_SECRET = re.compile(r"[A-Z2-7]+")  # a normalised base32 secret; a Fernet token always has lower case


def _fernet():
    return MultiFernet([Fernet(key) for key in settings.MOTCUA_OTP_KEYS])


def _unreadable(device):
    return RuntimeError(
        f"The authenticator secret of user #{device.user_id} is neither a clear secret nor one that MOTCUA_OTP_KEY "
        "decrypts: set MOTCUA_OTP_KEY to the key it was encrypted with (the new key first, old keys after, "
        "separated by commas)."
    )


def encrypt_secrets(apps, schema_editor):
    OtpDevice = apps.get_model("accounts", "OtpDevice")
    devices = OtpDevice.objects.using(schema_editor.connection.alias)
    fernet = _fernet()
    for device in devices.only("pk", "user_id", "encrypted_secret").order_by("pk"):
        value = device.encrypted_secret
        if not CLEAR_SECRET.fullmatch(value):
            try:
                fernet.decrypt(value.encode("ascii"))
            except (InvalidToken, UnicodeError):
                raise _unreadable(device) from None
            continue  # already encrypted
        encrypted = fernet.encrypt(value.encode("ascii")).decode("ascii")
        devices.filter(pk=device.pk).update(encrypted_secret=encrypted)


def decrypt_secrets(apps, schema_editor):
    OtpDevice = apps.get_model("accounts", "OtpDevice")
    devices = OtpDevice.objects.using(schema_editor.connection.alias)
    fernet = _fernet()
    for device in devices.only("pk", "user_id", "encrypted_secret").order_by("pk"):
        value = device.encrypted_secret
        if CLEAR_SECRET.fullmatch(value):
            continue  # already in clear
        try:
            clear = fernet.decrypt(value.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise _unreadable(device) from None
        devices.filter(pk=device.pk).update(encrypted_secret=clear)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_otp_device_encrypted_secret_column'),
    ]

    operations = [
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
