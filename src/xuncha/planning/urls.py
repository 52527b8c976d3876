from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/<slug:action>/", views.round_action, name="round_action"),
    path("terms/<int:pk>/coverage/", views.term_coverage, name="coverage"),
]
