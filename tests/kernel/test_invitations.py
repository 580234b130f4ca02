"""A new account receives a link where the person chooses their own password: good once, for
ACCOUNT_INVITATION_DAYS days; the admin never types one. `createuser` still takes it from
DJANGO_USER_PASSWORD for scripts (tests/kernel/test_commands.py)."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.invitations import invitation_tokens
from poitiers_inclusion.models import AuditEvent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-phrase-de-passe-choisie"


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(admin=True))


def _create(admin_client, capture, email="lea@ville.fr"):
    with capture(execute=True):
        response = admin_client.post(
            reverse("kernel:user_create"),
            {"email": email, "first_name": "Léa", "role": Role.CONSEILLER, "is_active": "on"},
        )
    assert response.status_code == 302
    return User.objects.get(email=email)


def _link(message) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/invitation/\S+)", message.body)[1]


def _choose(client, link, password=NEW_PASSWORD):
    page = client.get(link, follow=True)
    return page, client.post(
        page.request["PATH_INFO"],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def test_the_invited_person_chooses_a_password_and_signs_in(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = _create(admin_client, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    assert message.to == ["lea@ville.fr"] and "valable 7 jours" in message.body
    page, done = _choose(Client(), _link(message))
    assert "Bienvenue : choisissez votre mot de passe" in page.content.decode()
    assert "Votre nouveau mot de passe est enregistré" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Client().login(username="lea@ville.fr", password=NEW_PASSWORD)


def test_the_link_works_once(admin_client, mailoutbox, django_capture_on_commit_callbacks):
    user = _create(admin_client, django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    _choose(Client(), link)
    page, _ = _choose(Client(), link, password="une-autre-phrase-de-passe")
    assert "n'est plus valable" in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_link_expires(
    admin_client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, settings
):
    user = _create(admin_client, django_capture_on_commit_callbacks)
    later = datetime.datetime.now() + datetime.timedelta(
        days=settings.ACCOUNT_INVITATION_DAYS, hours=1
    )
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    page, _ = _choose(Client(), _link(mailoutbox[0]))
    assert "n'est plus valable" in page.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_password_reset_token_is_no_invitation(admin_client, django_capture_on_commit_callbacks):
    user = _create(admin_client, django_capture_on_commit_callbacks)
    assert not invitation_tokens.check_token(user, default_token_generator.make_token(user))


def test_the_admin_sends_a_new_invitation(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(conseiller=True, email="ancien@ville.fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("kernel:user_invite", args=[user.pk]))
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["ancien@ville.fr"]]
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="kernel.user.invited", target_id=str(user.pk)).exists()
    _choose(Client(), _link(mailoutbox[0]))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_account_form_has_no_password_field(admin_client):
    html = admin_client.get(reverse("kernel:user_create")).content.decode()
    assert 'type="password"' not in html
    assert "choisir elle-même son mot de passe" in html


def test_the_django_admin_invites_too(client_for, mailoutbox, django_capture_on_commit_callbacks):
    root = UserFactory(admin=True, is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post(
            "/django-admin/kernel/user/add/",
            {"email": "tech@ville.fr", "role": Role.TECHNICIEN, "structure": ""},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(email="tech@ville.fr").has_usable_password()
    assert [m.to for m in mailoutbox] == [["tech@ville.fr"]]
