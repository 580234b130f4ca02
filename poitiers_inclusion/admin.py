"""Django's admin for superusers (day-to-day management happens in the application's own pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from . import invitations
from .forms import ModelForm
from .models import AuditEvent, Usager, User


class InvitedUserCreationForm(ModelForm):
    class Meta:
        model = User
        fields = ["email", "role", "structure"]


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
    # No password typed by the admin: the new account receives an invitation (invitations.py).
    add_form = InvitedUserCreationForm
    add_fieldsets = [(None, {"fields": ["email", "role", "structure"]})]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.set_unusable_password()
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            invitations.invite(obj)


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
