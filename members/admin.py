"""Django admin for operators: people, networks and memberships. Coordinators use the product's own pages."""

from django.contrib import admin

from members.models import AuditEvent, Membership, Network, Skill, SkillCategory, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["id", "email", "display_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "approval", "member_floor_minutes", "k"]
    search_fields = ["slug", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "status", "is_supported", "created_at"]
    list_filter = ["network", "role", "status"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]


@admin.register(SkillCategory)
class SkillCategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "sensitive"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "category"]
    list_filter = ["category"]
    search_fields = ["slug", "name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited."""

    list_display = ["created_at", "network", "action", "actor", "on_behalf_of", "target_type", "target_id"]
    list_filter = ["network", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
