"""Kernel forms: login (slowed down after repeated failures) and account management."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .enums import Role
from .models import LoginFailure, User


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request else None


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "throttled": (
            "Trop de tentatives de connexion infructueuses. "
            "Patientez quelques minutes avant de réessayer."
        ),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        ip = client_ip(self.request)
        if email and LoginFailure.too_many(email=email, ip=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if email:
                LoginFailure.objects.create(email=email, ip=ip)
            raise


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label="Mot de passe",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Laissez vide pour ne pas changer le mot de passe d'un compte existant.",
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "structure", "is_active"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.PRESCRIPTEUR and not data.get("structure"):
            self.add_error("structure", "Un prescripteur doit être rattaché à une structure.")
        password = data.get("password")
        if not self.instance.pk and not password:
            self.add_error("password", "Choisissez un mot de passe pour ce nouveau compte.")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
