"""A lost phone: an operator resets an officer's authenticator (admin action or command); the next login enrols
a new one. Only operators reach the action; an officer's own session cannot."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from motcua.accounts.models import OtpDevice


def test_the_admin_action_resets_the_chosen_accounts(quantri, minh):
    operator = Client()
    operator.force_login(quantri)
    response = operator.post(
        "/admin/accounts/user/", {"action": "reset_authenticator", "_selected_action": [str(minh.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert "Đã đặt lại ứng dụng xác thực của 1 tài khoản" in response.content.decode()
    assert not OtpDevice.objects.filter(user=minh).exists()
    assert OtpDevice.objects.filter(user=quantri).exists()


def test_an_officer_cannot_reach_the_action(minh, quantri):
    officer = Client()
    officer.force_login(minh)
    chosen = {"action": "reset_authenticator", "_selected_action": [str(quantri.pk)]}
    response = officer.post("/admin/accounts/user/", chosen)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert OtpDevice.objects.filter(user=quantri).exists()


def test_the_command(minh, capsys):
    call_command("reset_otp", "minh.tv")
    assert "authenticator reset" in capsys.readouterr().out
    assert not OtpDevice.objects.filter(user=minh).exists()
    with pytest.raises(CommandError):
        call_command("reset_otp", "nobody")
