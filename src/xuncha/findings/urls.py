from django.urls import path

from . import views

app_name = "findings"
urlpatterns = [
    path("", views.finding_list, name="list"),
    path("new/", views.finding_new, name="new"),
    path("<int:pk>/", views.finding_detail, name="detail"),
    path("<int:pk>/feed-back/", views.finding_feed_back, name="feed_back"),
]
