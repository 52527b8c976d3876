from django.urls import path

from . import twofactor_views

app_name = "accounts"
urlpatterns = [
    path("2fa/", twofactor_views.security, name="security"),
    path("2fa/verify/", twofactor_views.verify, name="verify"),
    path("2fa/enrol/", twofactor_views.enrol, name="enrol"),
    path("2fa/disable/", twofactor_views.disable, name="disable"),
    path("2fa/backup-codes/", twofactor_views.backup_codes, name="backup_codes"),
]
