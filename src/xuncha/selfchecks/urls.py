from django.urls import path

from . import views

app_name = "selfchecks"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("export/", views.task_export, name="export"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/evidence/<int:evidence_pk>/", views.task_evidence, name="evidence"),
    path("tasks/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("groups/", views.group_list, name="groups"),
    path("groups/run/", views.group_run, name="group_run"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/push/", views.problem_push, name="push"),
]
