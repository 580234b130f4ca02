"""Management commands of the kernel: createuser, create_api_token, demo."""

import io

import pytest
from django.core.management import CommandError, call_command

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import ApiToken, User
from reseau.models import Contact, Lieu, Quartier, Structure
from tests.factories import StructureFactory, UserFactory

GOOD_PASSWORD = "une-phrase-de-passe-solide"


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_createuser_creates_an_account_that_logs_in(db, monkeypatch, client):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", GOOD_PASSWORD)
    out = run("createuser", "Marie.Curie@Ville.fr", "--role", "coordinateur")
    assert "marie.curie@ville.fr" in out
    user = User.objects.get(email="marie.curie@ville.fr")
    assert user.role == Role.COORDINATEUR
    assert client.login(username="marie.curie@ville.fr", password=GOOD_PASSWORD)


def test_createuser_without_password_variable_fails_clearly(db, monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_USER_PASSWORD"):
        run("createuser", "a@b.fr", "--role", "conseiller")
    assert not User.objects.exists()


def test_createuser_attaches_a_prescripteur_to_a_structure(db, monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", GOOD_PASSWORD)
    structure = StructureFactory(nom="CCAS de Poitiers")
    run("createuser", "p@ccas.fr", "--role", "prescripteur", "--structure", "ccas de poitiers")
    assert User.objects.get(email="p@ccas.fr").structure == structure


def test_createuser_refuses_a_prescripteur_without_structure(db, monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="structure"):
        run("createuser", "p@ccas.fr", "--role", "prescripteur")
    with pytest.raises(CommandError, match="Aucune structure"):
        run("createuser", "p@ccas.fr", "--role", "prescripteur", "--structure", "Inconnue")


def test_createuser_refuses_a_duplicate_and_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", GOOD_PASSWORD)
    run("createuser", "a@b.fr", "--role", "conseiller")
    with pytest.raises(CommandError, match="existe déjà"):
        run("createuser", "A@B.fr", "--role", "conseiller")
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "123")
    with pytest.raises(CommandError, match="Mot de passe refusé"):
        run("createuser", "c@b.fr", "--role", "conseiller")


def test_create_api_token_prints_a_token_alone_and_stores_only_its_hash(db):
    user = UserFactory(coordinateur=True)
    out = run("create_api_token", user.email)
    lines = out.strip().splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert len(raw) >= 32
    stored = ApiToken.objects.get(user=user)
    assert raw not in stored.key_hash
    assert ApiToken.objects.user_for(raw) == user
    assert ApiToken.objects.user_for(raw + "x") is None


def test_create_api_token_for_unknown_account_fails(db):
    with pytest.raises(CommandError, match="Aucun compte"):
        run("create_api_token", "personne@nulle.part")


def _snapshot():
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"kernel", "reseau", "permanences", "ateliers", "ordinateurs", "reporting"}
        and model._meta.label != "kernel.AuditEvent"
    }


def test_demo_loads_the_referential_and_one_account_per_role(db):
    out = run("demo")
    assert Quartier.objects.filter(qpv=True).exists()
    assert Lieu.objects.count() == 13
    assert 35 <= Structure.objects.count() <= 45
    assert 70 <= Contact.objects.count() <= 90
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
        assert User.objects.filter(role=role).first().email in out
    assert "mot de passe" in out


def test_demo_is_idempotent(db):
    run("demo", "--quiet-accounts")
    first = _snapshot()
    run("demo", "--quiet-accounts")
    assert _snapshot() == first
