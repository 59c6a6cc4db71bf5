"""Admin for checks and concerns."""

from django.contrib import admin

from members.safeguarding.models import Concern, SafeguardingCheck


@admin.register(SafeguardingCheck)
class SafeguardingCheckAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "decision", "checked_on", "review_on"]
    list_filter = ["network", "kind", "decision"]


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["id", "network", "status", "created_at"]
    list_filter = ["network", "status"]
