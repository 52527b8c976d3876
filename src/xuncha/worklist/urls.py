"""月度任务清单."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "worklist"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.list_new, name="list_new"),
    path("mine/", views.mine, name="mine"),
    path("week/", views.week, name="week"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("breakdown/export/", views.breakdown_export, name="breakdown_export"),
    path("<int:pk>/", views.list_detail, name="list"),
    path("<int:pk>/print/", views.list_print, name="list_print"),
    path("<int:pk>/export/", views.list_export, name="list_export"),
    path("<int:pk>/issue/", views.list_issue, name="list_issue"),
    path("<int:pk>/carry/", views.list_carry, name="list_carry"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/<slug:action>/", views.item_action, name="item_action"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
]
