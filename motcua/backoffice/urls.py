from django.urls import include, path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("register/", views.register, name="register"),
    path("dossiers/<str:code>/", views.dossier_detail, name="dossier"),
    path("dossiers/<str:code>/actions/<slug:kind>/", views.dossier_action, name="action"),
    path("dossiers/<str:code>/components/<int:component_id>/", views.component_download, name="component"),
    path("dossiers/<str:code>/results/<str:result_id>/", views.result_download, name="result"),
    path("dossiers/<str:code>/account-claim/", views.account_claim, name="account_claim"),
    path("dossiers/<str:code>/results/<str:result_id>/<slug:change>/", views.result_change, name="result_change"),
    path("", include(("motcua.backoffice.urls_feedback", "backoffice"), namespace="feedback")),
    path("", include(("motcua.backoffice.urls_reports", "backoffice"), namespace="reports")),
    path("", include(("motcua.backoffice.urls_operations", "backoffice"), namespace="operations")),
    path("", include(("motcua.backoffice.urls_sync", "backoffice"), namespace="sync")),
    path("", include(("motcua.backoffice.urls_exchange", "backoffice"), namespace="exchange")),
]
