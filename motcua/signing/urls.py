from django.urls import path

from motcua.signing import views, views_verify

app_name = "signing"
urlpatterns = [
    path("forms/dossiers/<str:code>/<str:number>.pdf", views.dossier_form, name="dossier_form"),
    path("forms/register/<str:identifier>.pdf", views.agency_register, name="register"),
    path("verify/", views_verify.verify_upload, name="verify_upload"),
    path("verify/credential/", views_verify.verify_credential, name="verify_credential"),
    path("verify/<str:result_id>.json", views_verify.verify_result_json, name="verify_result_json"),
    path("verify/<str:result_id>/", views_verify.verify_result, name="verify_result"),
]
