"""Kernel forms: the base of every form, sign-in (throttled, see throttle.py), password reset,
account management."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.choices import BlankChoiceIterator

from . import mail
from .enums import Role
from .models import User
from .public_forms import HoneypotMixin
from .throttle import wait_in_words

EMPTY_CHOICE = "— Choisir —"
# Django's own empty choice: BLANK_CHOICE_DASH of the model fields, ModelChoiceField's default.
DJANGO_EMPTY_CHOICE = "---------"


def _say_choose(field: forms.Field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_CHOICE:
            field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.ChoiceField):
        # A model field's choices come with Django's blank choice, added lazily.
        choices = field.choices
        if isinstance(choices, BlankChoiceIterator) and choices.blank_choice == [
            ("", DJANGO_EMPTY_CHOICE)
        ]:
            field.choices = BlankChoiceIterator(choices.choices, [("", EMPTY_CHOICE)])


class EmptyChoiceMixin:
    """A select's empty choice says "— Choisir —" where Django would show "---------" (choices
    of a model field, a ModelChoiceField without its own empty_label); a field that names its
    own keeps it. Done when a field is taken for display, so that fields added by a subclass's
    __init__ get it too. The list filters' "Tous" is django-filter's FILTERS_EMPTY_CHOICE_LABEL."""

    def __getitem__(self, name):
        if name in self.fields:
            _say_choose(self.fields[name])
        return super().__getitem__(name)


class NotInDraftsMixin:
    """The fields named in `not_in_drafts` are never kept in the browser's draft of a long form
    (static/js/drafts.js reads their `data-draft-skip`): a resident's name, contact details and
    situation (DESIGN §9: a shared tablet must not keep them), and a consent, which the person
    gives again for each sending."""

    not_in_drafts: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.not_in_drafts:
            if name in self.fields:
                self.fields[name].widget.attrs["data-draft-skip"] = True


class Form(EmptyChoiceMixin, NotInDraftsMixin, forms.Form):
    """The base of the project's forms."""


class ModelForm(EmptyChoiceMixin, NotInDraftsMixin, forms.ModelForm):
    """The base of the project's model forms."""


class LoginForm(EmptyChoiceMixin, AuthenticationForm):
    """Sign-in by e-mail; the throttle itself is in the authentication backend (throttle.py)."""

    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "throttled": "Trop de tentatives de connexion infructueuses. Réessayez dans %(delay)s.",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            wait = getattr(self.request, "sign_in_wait", 0)
            if wait:
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"delay": wait_in_words(wait)},
                ) from None
            raise


class PasswordResetForm(EmptyChoiceMixin, HoneypotMixin, auth_forms.PasswordResetForm):
    """Anyone can ask for a reset link: the same defences as every public form. The link goes
    through the outbox like every e-mail (a mail server that is down delays it, never loses it)
    and is built from SITE_URL, not from the Host the request claims."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        reset_url = mail.absolute_url("password_reset_confirm", context["uid"], context["token"])
        mail.send(
            "registration/password_reset",
            to=context["user"].email,
            context={"reset_url": reset_url},
        )


class UserForm(ModelForm):
    """An account's details; never its password: a new account chooses its own through the
    invitation it receives (invitations.py)."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "structure", "is_active", "coop_id"]
        help_texts = {
            "coop_id": "Pour un conseiller dont l'adresse e-mail diffère dans La Coop de la "
            "médiation numérique : son identifiant d'utilisateur ou de médiateur dans La Coop, "
            "pour que la synchronisation lui attribue ses activités."
        }

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean_coop_id(self):
        return (self.cleaned_data.get("coop_id") or "").strip() or None

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.PRESCRIPTEUR and not data.get("structure"):
            self.add_error("structure", "Un prescripteur doit être rattaché à une structure.")
        return data
