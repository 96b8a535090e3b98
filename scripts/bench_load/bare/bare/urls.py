from django.urls import path

from bare import views

urlpatterns = [
    path("read/<int:pk>", views.read),
    path("write", views.write),
]
