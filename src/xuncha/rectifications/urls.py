from django.urls import path

from . import list_views, views

app_name = "rectifications"
urlpatterns = [
    path("", list_views.item_list, name="list"),
    path("export/", list_views.item_export, name="export"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/rules/", views.rule_add, name="rule_add"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/file/", views.rule_file, name="rule_file"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.item_evidence, name="evidence"),
    path("<int:pk>/<slug:action>/", views.item_action, name="action"),
    # Feeding a finding back makes its ledger item: the ledger's URL, keyed by the finding.
    path("feed-back/<int:pk>/", views.finding_feed_back, name="feed_back"),
]
