from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from motcua.api import api
from motcua.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("motcua.accounts.urls")),
    path("backoffice/", include("motcua.backoffice.urls")),
    path("", include("motcua.signing.urls")),
    path("payments/", include("motcua.payments.urls")),
    path("", include("motcua.catalog.urls")),
    path("", include("motcua.portal.urls")),
]

handler404 = "motcua.portal.views.page_not_found"
handler500 = "motcua.portal.views.server_error"
