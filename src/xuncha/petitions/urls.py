from django.urls import path

from . import public_views, views

app_name = "petitions"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.petition_new, name="new"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.petition_action, name="action"),
    path("attachments/<int:pk>/<slug:which>/", views.attachment, name="attachment"),
    path("codes/", views.intake_list, name="intakes"),
    path("codes/<int:pk>/", views.intake_detail, name="intake"),
    path("codes/<int:pk>/file.<slug:fmt>", views.intake_file, name="intake_file"),
]

public_urlpatterns = (
    [
        path("follow-up/", public_views.receipt, name="receipt"),
        path("follow-up/status/", public_views.status, name="status"),
        path("follow-up/leave/", public_views.leave, name="leave"),
        path("<str:token>/", public_views.intake, name="intake"),
    ],
    "petitions_public",
)
