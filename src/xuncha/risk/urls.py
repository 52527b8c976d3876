from django.urls import path

from . import views
from .views import imports, model

app_name = "risk"
urlpatterns = [
    path("", views.index, name="index"),
    path("install/", views.install, name="install"),
    path("classify/", views.classify, name="classify"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<int:pk>/", imports.batch, name="batch"),
    path("imports/<int:pk>/mapping/", imports.batch_mapping, name="batch_mapping"),
    path("imports/<int:pk>/header/", imports.batch_header, name="batch_header"),
    path("imports/<int:pk>/resolve/", imports.batch_resolve, name="batch_resolve"),
    path("imports/<int:pk>/commit/", imports.batch_commit, name="batch_commit"),
    path("imports/<int:pk>/cancel/", imports.batch_cancel, name="batch_cancel"),
    path("levels/", views.levels, name="levels"),
    path("levels/export/", views.levels_export, name="levels_export"),
    path("units/<int:pk>/", views.profile, name="profile"),
    path("units/<int:pk>/override/", views.override, name="override"),
    path("units/<int:pk>/override/withdraw/", views.override_withdraw, name="override_withdraw"),
    path("model/", model.model, name="model"),
    path("model/new/", model.model_new, name="model_new"),
    path("model/<int:pk>/activate/", model.model_activate, name="model_activate"),
]
