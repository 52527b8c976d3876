from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("export.xlsx", views.figures_export, name="export"),
]
