from django.urls import path

from . import views

app_name = "checks"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules, name="rules"),
    path("rules/upload/", views.user_rule_upload, name="user_rule_upload"),
    path("rules/<int:pk>/retire/", views.user_rule_retire, name="user_rule_retire"),
    path("rules/<int:pk>/file.toml", views.user_rule_file, name="user_rule_file"),
    path("teams/<int:pk>/", views.team, name="team"),
    path("teams/<int:pk>/upload/", views.upload, name="upload"),
    path("teams/<int:pk>/run/", views.run_start, name="run_start"),
    path("datasets/<int:pk>/", views.dataset, name="dataset"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/files/<slug:which>/", views.run_file, name="run_file"),
    path("runs/<int:pk>/suspects/", views.suspects, name="suspects"),
    path("runs/<int:pk>/export/", views.export, name="export"),
    path("runs/<int:pk>/import/", views.verification_import, name="import"),
    path("runs/<int:pk>/finding/", views.to_finding, name="finding"),
    path("suspects/<int:pk>/", views.suspect, name="suspect"),
]
