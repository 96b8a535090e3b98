from django.urls import path

from motcua.catalog import views

app_name = "catalog"
urlpatterns = [
    path("procedures/", views.procedure_list, name="procedures"),
    path("procedures/<str:code>/", views.procedure_detail, name="procedure"),
    path("fields/", views.field_list, name="fields"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/<str:identifier>/", views.agency_detail, name="agency"),
]
