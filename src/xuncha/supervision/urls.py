from django.urls import path

from . import check_views, followup_views, views

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
    path(
        "assessments/<int:pk>/units/<int:unit>/grade/",
        followup_views.unit_grade_fix,
        name="unit_grade_fix",
    ),
    path("follow-ups/", followup_views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/", followup_views.follow_up_detail, name="follow_up"),
    path("reverse-checks/", check_views.reverse_check_list, name="reverse_checks"),
    path("reverse-checks/<int:pk>/", check_views.reverse_check_detail, name="reverse_check"),
    path("samples/<int:pk>/result/", check_views.sample_result, name="sample_result"),
    path(
        "samples/<int:pk>/evidence/<int:evidence_pk>/",
        check_views.sample_evidence,
        name="sample_evidence",
    ),
]
