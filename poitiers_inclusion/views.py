"""Kernel pages: each role's home, sign-in and password reset, account management, error pages,
the accessibility statement, security.txt."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import invitations, throttle
from .audit import audited_save, log_event
from .enums import Role
from .forms import LoginForm, PasswordResetForm, UserForm
from .models import User
from .paging import CappedPaginator
from .perms import any_role, public, role_required
from .public_forms import PublicPost

# RFC 9116 asks for an expiry under a year away; the file is generated, so it stays fresh as
# long as SECURITY_CONTACT is kept true.
SECURITY_TXT_VALID_DAYS = 180

# Where each role lands after logging in: a URL name when the app provides one, else a template.
ROLE_HOME = {
    Role.CONSEILLER: "permanences:home",
    Role.COORDINATEUR: "reporting:dashboard",
    Role.TECHNICIEN: "ordinateurs:home",
    Role.PRESCRIPTEUR: "reseau:home_prescripteur",
    Role.ADMIN: "reseau:structure_list",
}


@any_role
def home(request):
    target = ROLE_HOME.get(request.user.role)
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    return render(request, "kernel/home.html")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.remember_device(self.request, response, form.get_user().email)
        return response


login = public(LoginView.as_view())


class PasswordResetView(auth_views.PasswordResetView):
    """A public form: the trap for robots and the rate per client, as every public form."""

    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        guard = PublicPost(request, form, scope="kernel.password_reset")
        if guard.trapped:
            return guard.decoy()
        if guard.accepts():
            return self.form_valid(form)
        response = self.form_invalid(form)
        response.status_code = guard.status
        return response


password_reset = public(PasswordResetView.as_view())


@public
def public_form_sent(request):
    """Where a public form filled by a robot leads: it looks like any thank-you page."""
    return render(request, "kernel/public_form_sent.html")


@public
@require_GET
def accessibility(request):
    """The accessibility statement the law asks of a public service's site (RGAA)."""
    return render(request, "kernel/accessibility.html", {"contact": settings.DEFAULT_FROM_EMAIL})


@public
@require_GET
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability, in which languages, until when."""
    contact = settings.SECURITY_CONTACT
    if "@" in contact and not contact.startswith(("mailto:", "https://")):
        contact = f"mailto:{contact}"
    expires = (timezone.now() + datetime.timedelta(days=SECURITY_TXT_VALID_DAYS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: fr, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@role_required(Role.ADMIN)
def user_list(request):
    users = User.objects.select_related("structure").order_by("last_name", "email")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(
            Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    page = CappedPaginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kernel/user_list.html",
        {"page": page, "q": q, "role": role, "roles": Role.choices},
    )


@role_required(Role.ADMIN)
def user_edit(request, pk=None):
    user = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(data=request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        account = form.save(commit=False)
        if user is None:
            account.set_unusable_password()  # the person chooses it (invitations.py)
        with transaction.atomic():
            audited_save(account, actor=request.user)
            invited = user is None and invitations.invite(account)
        messages.success(
            request,
            f"Le compte {account.email} est créé : une invitation à choisir son mot de passe "
            f"lui est envoyée (valable {settings.ACCOUNT_INVITATION_DAYS} jours)."
            if invited
            else f"Le compte {account.email} est enregistré.",
        )
        return redirect("kernel:user_list")
    return render(request, "kernel/user_form.html", {"form": form, "account": user})


@require_POST
@role_required(Role.ADMIN)
def user_invite(request, pk):
    """A new invitation (the first one expired or got lost): the old password stops working."""
    account = get_object_or_404(User, pk=pk)
    with transaction.atomic():
        invitations.invite(account)
        log_event(actor=request.user, action="kernel.user.invited", target=account)
    messages.success(
        request,
        f"Une invitation à choisir son mot de passe est envoyée à {account.email} (valable "
        f"{settings.ACCOUNT_INVITATION_DAYS} jours).",
    )
    return redirect("kernel:user_edit", pk=account.pk)


class InvitationView(auth_views.PasswordResetConfirmView):
    """Where an invited person chooses their password (single use, ACCOUNT_INVITATION_DAYS)."""

    token_generator = invitations.invitation_tokens
    template_name = "registration/invitation_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


invitation = public(InvitationView.as_view())


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
