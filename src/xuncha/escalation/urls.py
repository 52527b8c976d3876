"""联动巡察与重大问题呈报."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "escalation"
urlpatterns = [
    path("", views.index, name="index"),
    path("keys/", views.keys, name="keys"),
    path("keys/public.pub", views.public_key, name="public_key"),
    path("senders/", views.sender_register, name="sender_register"),
    path("senders/<int:pk>/revoke/", views.sender_revoke, name="sender_revoke"),
    path("rounds/<int:pk>/", views.joint_round, name="round"),
    path("rounds/<int:pk>/clear/", views.joint_round_clear, name="round_clear"),
    path("findings/<int:pk>/mark/", views.mark, name="mark"),
    path("major/<int:pk>/", views.major, name="major"),
    path("received/<int:pk>/", views.received, name="received"),
    path("received/<int:pk>/files/<int:att>/", views.received_file, name="received_file"),
    path("<slug:kind>/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("hops/<int:pk>/bundle/", views.hop_bundle, name="hop_bundle"),
    path("hops/<int:pk>/receipt/", views.hop_receipt, name="hop_receipt"),
    path("hops/<int:pk>/acknowledge/", views.hop_acknowledge, name="hop_acknowledge"),
    path("import/", views.bundle_import, name="import"),
]
