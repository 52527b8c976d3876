from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.index, name="index"),
    path("install/", views.install, name="install"),
    path("classify/", views.classify, name="classify"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.batch, name="batch"),
    path("imports/<int:pk>/mapping/", views.batch_mapping, name="batch_mapping"),
    path("imports/<int:pk>/header/", views.batch_header, name="batch_header"),
    path("imports/<int:pk>/resolve/", views.batch_resolve, name="batch_resolve"),
    path("imports/<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("imports/<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("levels/", views.levels, name="levels"),
    path("levels/export/", views.levels_export, name="levels_export"),
    path("units/<int:pk>/", views.profile, name="profile"),
    path("units/<int:pk>/override/", views.override, name="override"),
    path("units/<int:pk>/override/withdraw/", views.override_withdraw, name="override_withdraw"),
    path("model/", views.model, name="model"),
    path("model/new/", views.model_new, name="model_new"),
    path("model/<int:pk>/activate/", views.model_activate, name="model_activate"),
]
