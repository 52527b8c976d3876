from django.urls import path

from . import plan_views, pool_views, views

app_name = "planning"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/<slug:action>/", views.round_action, name="round_action"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/<slug:action>/", views.team_action, name="team_action"),
    path("terms/", pool_views.term_list, name="terms"),
    path("terms/new/", pool_views.term_edit, name="term_new"),
    path("terms/<int:pk>/edit/", pool_views.term_edit, name="term_edit"),
    path("terms/<int:pk>/coverage/", pool_views.term_coverage, name="coverage"),
    path("terms/<int:pk>/termplan/", plan_views.term_plans, name="termplans"),
    path("termplans/<int:pk>/", plan_views.plan_detail, name="termplan"),
    path("termplans/<int:pk>/check/", plan_views.plan_check, name="termplan_check"),
    path("termplans/<int:pk>/resolve/", plan_views.plan_resolve, name="termplan_resolve"),
    path("termplans/<int:pk>/docx/", plan_views.plan_docx, name="termplan_docx"),
    path(
        "termplans/<int:pk>/entries/<int:entry>/move/", plan_views.plan_move, name="termplan_move"
    ),
    path(
        "termplans/<int:pk>/slots/<int:index>/commit/",
        plan_views.plan_commit,
        name="termplan_commit",
    ),
    path("cadres/", pool_views.cadre_list, name="cadres"),
    path("cadres/new/", pool_views.cadre_edit, name="cadre_new"),
    path("cadres/<int:pk>/edit/", pool_views.cadre_edit, name="cadre_edit"),
]
