"""Kernel pages: each role's home, the navigation, the French 403 page, account management."""

from django.urls import reverse

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent, User
from tests.factories import StructureFactory


def test_every_page_needs_login_by_default(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_forbidden_page_answers_403_in_french(users, client_for):
    response = client_for(users[Role.CONSEILLER]).get(reverse("kernel:user_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html and '<html lang="fr">' in html
    assert "Traceback" not in html


def test_each_role_sees_only_its_navigation(users, client_for):
    admin_nav = client_for(users[Role.ADMIN]).get(reverse("kernel:user_list")).context["nav_items"]
    assert "Comptes" in [item["label"] for item in admin_nav]
    conseiller = client_for(users[Role.CONSEILLER]).get(reverse("home"), follow=True)
    labels = [item["label"] for item in conseiller.context["nav_items"]]
    assert "Comptes" not in labels and "Structures" not in labels


def test_home_sends_each_role_to_its_page(users, client_for):
    expected = {
        Role.CONSEILLER: reverse("permanences:home"),  # log a médiation, today's permanence
        Role.COORDINATEUR: reverse("reporting:dashboard"),
        Role.PRESCRIPTEUR: reverse("reseau:home_prescripteur"),
        Role.ADMIN: reverse("reseau:structure_list"),
        Role.TECHNICIEN: reverse("ordinateurs:home"),  # the workshop's work to do
    }
    for role in Role.values:
        response = client_for(users[role]).get(reverse("home"), follow=True)
        assert response.status_code == 200, role
        assert response.request["PATH_INFO"] == expected[role], role


def test_admin_creates_an_account(
    users, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """The admin no longer invents the password: the person is invited to choose it."""
    client = client_for(users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("kernel:user_create"),
            {
                "email": "Nouveau@Ville.fr",
                "first_name": "Léa",
                "last_name": "Roux",
                "role": Role.CONSEILLER,
                "is_active": "on",
                "password": "phrase-de-passe-solide",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouveau@ville.fr")
    assert not user.has_usable_password()  # a typed password is ignored
    assert [m.to for m in mailoutbox] == [["nouveau@ville.fr"]]
    assert AuditEvent.objects.filter(action="kernel.user.created", target_id=str(user.pk)).exists()


def test_bad_account_input_is_explained_and_kept(users, client_for):
    client = client_for(users[Role.ADMIN])
    response = client.post(
        reverse("kernel:user_create"),
        {"email": "pas-une-adresse", "first_name": "Léa", "role": Role.PRESCRIPTEUR},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide" in html
    assert "Un prescripteur doit être rattaché à une structure." in html
    assert 'type="password"' not in html
    assert 'value="Léa"' in html and 'value="pas-une-adresse"' in html
    assert not User.objects.filter(first_name="Léa").exists()


def test_admin_edits_an_account_without_changing_its_password(users, client_for):
    client = client_for(users[Role.ADMIN])
    target = users[Role.CONSEILLER]
    structure = StructureFactory()
    response = client.post(
        reverse("kernel:user_edit", args=[target.pk]),
        {
            "email": target.email,
            "first_name": "Yanis",
            "last_name": "B",
            "role": Role.PRESCRIPTEUR,
            "structure": structure.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.PRESCRIPTEUR and target.structure == structure
    assert target.has_usable_password()
