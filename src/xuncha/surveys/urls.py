from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/print/", views.survey_print, name="print"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/qr.<slug:fmt>", views.survey_file, name="file"),
]
