from django.urls import include, path

from motcua.portal import (
    views,
    views_apply,
    views_credentials,
    views_dossiers,
    views_national,
    views_national_statistics,
)

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # Nộp hồ sơ trực tuyến
    path("apply/<str:code>/", views_apply.apply_guide, name="apply"),
    path("apply/<str:code>/form/", views_apply.apply_form, name="apply_form"),
    path("apply/<str:code>/components/", views_apply.apply_components, name="apply_components"),
    path("apply/<str:code>/components/remove/", views_apply.apply_component_remove, name="apply_component_remove"),
    path("apply/<str:code>/components/reuse/", views_apply.apply_component_reuse, name="apply_component_reuse"),
    path("apply/<str:code>/reuse-consent/", views_apply.apply_reuse_consent, name="apply_reuse_consent"),
    path("apply/<str:code>/review/", views_apply.apply_review, name="apply_review"),
    path("drafts/", views_apply.draft_list, name="drafts"),
    path("drafts/<int:pk>/delete/", views_apply.draft_delete, name="draft_delete"),
    # Hồ sơ của tôi
    path("dossiers/", views_dossiers.my_dossiers, name="my_dossiers"),
    path("dossiers/<str:code>/", views_dossiers.my_dossier, name="my_dossier"),
    path("dossiers/<str:code>/withdraw/", views_dossiers.withdraw, name="withdraw"),
    path("dossiers/<str:code>/result/", views_dossiers.result_download, name="result"),
    path(
        "dossiers/<str:code>/components/<int:component_id>/",
        views_dossiers.component_download,
        name="component",
    ),
    path("dossiers/<str:code>/supplement/", views_dossiers.supplement, name="supplement"),
    path("notifications/", views_dossiers.notifications, name="notifications"),
    path("notifications/read/", views_dossiers.notifications_read, name="notifications_read"),
    # Kho dữ liệu điện tử (urls_wallet: documents, shares, access log; the recipients' public share page)
    path("", include(("motcua.portal.urls_wallet", "portal"), namespace="wallet")),
    path("wallet/documents/<uuid:pk>/credential/", views_credentials.credential_download, name="wallet_credential"),
    # Quyền của chủ thể dữ liệu (urls_privacy: consent, requests, download of all one's data)
    path("", include(("motcua.portal.urls_privacy", "portal"), namespace="privacy")),
    path("", include(("motcua.portal.urls_feedback", "portal"), namespace="feedback")),
    # Chỉ số phục vụ người dân, doanh nghiệp (public dashboards)
    path("", include(("motcua.portal.urls_dashboard", "portal"), namespace="dashboard")),
    # Tra cứu hồ sơ (public)
    path("lookup/", views_dossiers.lookup, name="lookup"),
    # Tra cứu trên Cổng Dịch vụ công quốc gia (public, on the national instance)
    path("national/lookup/", views_national.lookup, name="national_lookup"),
    path("national/statistics/", views_national_statistics.national_statistics, name="national_statistics"),
]
