from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/import/", views.indicator_import, name="indicator_import"),
    path("indicators/install/", views.indicator_install, name="indicator_install"),
    path("indicators/<int:pk>/export.xlsx", views.indicator_export, name="indicator_export"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/units/<int:unit>/", views.assessment_unit, name="assessment_unit"),
    path("scores/<int:pk>/", views.score_save, name="score"),
]
