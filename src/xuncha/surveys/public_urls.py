"""The public survey link, mounted at /s/ (outside the staff pages, as petitions' /p/)."""

from django.urls import path

from . import public_views

app_name = "surveys_public"
urlpatterns = [
    path("<str:token>/", public_views.answer, name="answer"),
]
