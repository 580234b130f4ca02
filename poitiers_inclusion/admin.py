"""Django's admin for superusers (day-to-day management happens in the application's own pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Usager, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "structure", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Rôle", {"fields": ["role", "structure", "is_active", "is_staff", "is_superuser"]}),
        ("La Coop", {"fields": ["coop_id"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "role", "structure", "password1", "password2"]})]


@admin.register(Usager)
class UsagerAdmin(admin.ModelAdmin):
    list_display = ["pk", "genre", "tranche_age", "statut_social", "quartier", "created_at"]
    list_filter = ["genre", "tranche_age", "statut_social"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
