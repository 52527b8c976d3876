from django.urls import path

from . import pool_views, views

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
    path("cadres/", pool_views.cadre_list, name="cadres"),
    path("cadres/new/", pool_views.cadre_edit, name="cadre_new"),
    path("cadres/<int:pk>/edit/", pool_views.cadre_edit, name="cadre_edit"),
]
