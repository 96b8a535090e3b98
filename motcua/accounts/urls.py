from django.urls import path

from motcua.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_citizen, name="login"),
    path("login/organisation/", views.login_organisation, name="login_organisation"),
    path("login/officer/", views.login_officer, name="login_officer"),
    path("login/officer/code/", views.otp_verify, name="otp_verify"),
    path("login/officer/enrol/", views.otp_enrol, name="otp_enrol"),
    path("login/officer/enrol/qr.svg", views.otp_qr, name="otp_qr"),
    path("register/", views.register_citizen, name="register"),
    path("register/organisation/", views.register_organisation, name="register_organisation"),
    path("claim/", views.claim_account, name="claim"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.account, name="account"),
]
