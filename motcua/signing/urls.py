from django.urls import path

from motcua.signing import views

app_name = "signing"
urlpatterns = [
    path("forms/dossiers/<str:code>/<str:number>.pdf", views.dossier_form, name="dossier_form"),
    path("forms/register/<str:identifier>.pdf", views.agency_register, name="register"),
]
