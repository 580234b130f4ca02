"""Django's admin as a superusers' repair tool: superusers only, signed in by the application's
own page, so the sign-in throttle has no side door (the admin's login form is never shown)."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Administration technique (super-utilisateurs)"
    site_title = "Administration technique"

    def has_permission(self, request):
        # Not is_staff: a coordinator given that flag by mistake must not reach raw data.
        return request.user.is_active and request.user.is_superuser

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(index)
            raise PermissionDenied(
                "L'administration technique est réservée aux super-utilisateurs."
            )
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = index
        return redirect_to_login(target)
