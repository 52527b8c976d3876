from django.urls import path

from . import (
    immediate_views,
    list_views,
    paper_views,
    recommendation_views,
    talk_views,
    views,
    work_views,
)

app_name = "findings"
urlpatterns = [
    path("", list_views.finding_list, name="list"),
    path("export/", list_views.finding_export, name="export"),
    path("new/", views.finding_new, name="new"),
    path("<int:pk>/", views.finding_detail, name="detail"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.finding_evidence, name="evidence"),
    path("<int:pk>/edit/", views.finding_edit, name="edit"),
    path("<int:pk>/paper/", paper_views.paper_detail, name="paper"),
    path("<int:pk>/paper/talks/", paper_views.paper_talks, name="paper_talks"),
    path("<int:pk>/paper/sign/<slug:step>/", paper_views.paper_sign, name="paper_sign"),
    path("leads/", immediate_views.lead_list, name="leads"),
    path("talks/", talk_views.talk_list, name="talks"),
    path("immediate/", immediate_views.immediate_list, name="immediate"),
    path("immediate/<int:pk>/", immediate_views.immediate_detail, name="immediate_detail"),
    path("immediate/<int:pk>/report/", immediate_views.immediate_report, name="immediate_report"),
    path(
        "immediate/<int:pk>/evidence/<int:evidence_pk>/",
        immediate_views.immediate_evidence,
        name="immediate_evidence",
    ),
    path("units/<int:pk>/", work_views.assignment_work, name="work"),
    path(
        "units/<int:pk>/recommendations/",
        recommendation_views.recommendation_new,
        name="recommendation_new",
    ),
    path(
        "units/<int:pk>/recommendations/<int:rec_pk>/",
        recommendation_views.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "units/<int:pk>/recommendations/<int:rec_pk>/delete/",
        recommendation_views.recommendation_delete,
        name="recommendation_delete",
    ),
    path("units/<int:pk>/<slug:action>/", work_views.assignment_action, name="work_action"),
]
