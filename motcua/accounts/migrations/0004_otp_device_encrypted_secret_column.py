# The authenticator secret's column becomes `encrypted_secret`, a text column wide enough for a Fernet token.
# It still holds the clear secrets once this has run: 0005_encrypt_otp_secrets encrypts them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_api_tokens'),
    ]

    operations = [
        migrations.RenameField(
            model_name='otpdevice',
            old_name='secret',
            new_name='encrypted_secret',
        ),
        migrations.AlterField(
            model_name='otpdevice',
            name='encrypted_secret',
            field=models.TextField(editable=False, verbose_name='khóa bí mật'),
        ),
    ]
