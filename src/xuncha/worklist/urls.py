from django.urls import path

from . import views

app_name = "worklist"
urlpatterns = [
    path("", views.index, name="index"),
]
