from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("standards/", views.standards, name="standards"),
    path("standards/load/", views.standard_load, name="load"),
]
