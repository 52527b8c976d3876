from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:round_pk>/<int:unit_pk>/", views.page, name="page"),
    path("<int:round_pk>/<int:unit_pk>/word/", views.word, name="word"),
    path("<int:round_pk>/<int:unit_pk>/pdf/", views.pdf, name="pdf"),
    path("<int:round_pk>/<int:unit_pk>/status/", views.status, name="status"),
    path("jobs/<int:pk>/<slug:which>/", views.job_file, name="file"),
    path("templates/", views.templates, name="templates"),
    path("templates/shipped/", views.template_shipped, name="template_shipped"),
    path("templates/upload/", views.template_upload, name="template_upload"),
    path("templates/<slug:kind>/revert/", views.template_revert, name="template_revert"),
    path("templates/<int:pk>/file/", views.template_file, name="template_file"),
]
