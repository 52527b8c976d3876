from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("rubrics/", views.rubric_list, name="rubrics"),
    path("rubrics/import/", views.rubric_import, name="rubric_import"),
    path("rubrics/install/", views.rubric_install, name="rubric_install"),
    path("rubrics/<int:pk>/export.xlsx", views.rubric_export, name="rubric_export"),
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/draw/", views.round_draw, name="draw"),
    path("<int:pk>/add/", views.round_add, name="add"),
    path("<int:pk>/check/", views.round_check, name="check"),
    path("<int:pk>/reports/", views.round_reports, name="reports"),
    path("<int:pk>/export.xlsx", views.round_export, name="export"),
    path("samples/<int:pk>/", views.sample_page, name="sample"),
    path("samples/<int:pk>/remove/", views.sample_remove, name="remove"),
    path("samples/<int:pk>/return/", views.sample_return, name="return"),
    path("results/", views.results, name="results"),
    path("submitted/", views.submitted_list, name="submitted"),
    path("submitted/<int:pk>/", views.submitted_report, name="submitted_report"),
    path("submitted/<int:pk>/delete/", views.submitted_delete, name="submitted_delete"),
]
