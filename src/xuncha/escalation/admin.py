from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Escalation, JointRound, MajorFinding, Office, ReceivedBundle, TrustedSender


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "level")


@admin.register(JointRound)
class JointRoundAdmin(SimpleHistoryAdmin):
    list_display = ("round", "note")


@admin.register(MajorFinding)
class MajorFindingAdmin(SimpleHistoryAdmin):
    list_display = ("finding", "marked_by", "marked_at")


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin):
    list_display = ("from_office", "to_office", "status", "sent_at", "received_by", "received_at")
    list_filter = ("status", "to_level")


@admin.register(TrustedSender)
class TrustedSenderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "fingerprint", "registered_by", "revoked_at")


@admin.register(ReceivedBundle)
class ReceivedBundleAdmin(admin.ModelAdmin):
    list_display = ("bundle_id", "sender_name", "received_by", "received_at")

    def has_change_permission(
        self, request: HttpRequest, obj: ReceivedBundle | None = None
    ) -> bool:
        return False  # what was verified stays as received
