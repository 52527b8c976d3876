from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("export.xlsx", views.unit_export, name="export"),
    path("import/", views.unit_import, name="import"),
]
