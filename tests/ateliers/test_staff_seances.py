"""The team's session pages: the list, creating and changing a session, cancelling it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ateliers.enums import StatutInscription
from ateliers.models import Seance
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.factories import LieuFactory, UsagerFactory, UserFactory

from .factories import InscriptionFactory, ModuleFactory, SeanceFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _day(offset):
    return TODAY() + datetime.timedelta(days=offset)


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True, first_name="Camille", last_name="Martin")


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _seance_data(**extra):
    data = {
        "module": ModuleFactory().pk,
        "lieu": LieuFactory().pk,
        "date": _day(3).isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "capacite": "8",
        "inscription_en_ligne": "on",
        "notes": "",
    }
    data.update(extra)
    return data


# --- Who opens what -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.COORDINATEUR, Role.ADMIN])
def test_the_team_opens_the_list_and_a_session(role, users, client_for):
    seance = SeanceFactory()
    client = client_for(users[role])
    assert client.get(reverse("ateliers:seance_list")).status_code == 200
    assert client.get(reverse("ateliers:seance_detail", args=[seance.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.TECHNICIEN, Role.PRESCRIPTEUR])
def test_other_roles_are_refused(role, users, client_for):
    seance = SeanceFactory()
    client = client_for(users[role])
    for url in (
        reverse("ateliers:seance_list"),
        reverse("ateliers:seance_detail", args=[seance.pk]),
        reverse("ateliers:seance_create"),
    ):
        assert client.get(url).status_code == 403


def test_a_conseiller_cannot_change_a_session_they_do_not_facilitate(conseiller, client_for):
    seance = SeanceFactory(animateurs=[UserFactory(conseiller=True)])
    client = client_for(conseiller)
    for name in ("seance_edit", "seance_cancel", "seance_walk_in"):
        assert client.get(reverse(f"ateliers:{name}", args=[seance.pk])).status_code == 403
    response = client.post(reverse("ateliers:seance_cancel", args=[seance.pk]), {"motif": "Essai"})
    assert response.status_code == 403
    seance.refresh_from_db()
    assert not seance.is_cancelled
    page = client.get(reverse("ateliers:seance_detail", args=[seance.pk])).content.decode()
    assert "Modifier la séance" not in page and "Annuler la séance" not in page


# --- The list -----------------------------------------------------------------------------------


def test_it_lists_coming_sessions_first_then_past_ones(coordinator):
    past = SeanceFactory(date=_day(-3))
    older = SeanceFactory(date=_day(-30))
    later = SeanceFactory(date=_day(10))
    soon = SeanceFactory(date=_day(0))
    response = coordinator.get(reverse("ateliers:seance_list"))
    assert list(response.context["page"].object_list) == [soon, later, past, older]
    page = response.content.decode()
    assert "Séances passées" in page and "Aujourd'hui" in page


def test_each_row_shows_places_taken_and_the_waiting_list(coordinator):
    seance = SeanceFactory(capacite=2)
    InscriptionFactory.create_batch(2, seance=seance)
    InscriptionFactory(seance=seance, attente=True)
    InscriptionFactory(seance=seance, statut=StatutInscription.ANNULE)
    response = coordinator.get(reverse("ateliers:seance_list"))
    row = response.context["page"].object_list[0]
    assert (row.nb_inscrits, row.nb_attente) == (2, 1)
    page = response.content.decode()
    assert "2 / 2" in page and "Complet" in page
    assert reverse("ateliers:seance_detail", args=[seance.pk]) in page


def test_it_filters_by_period_lieu_and_module(coordinator):
    kept = SeanceFactory(date=_day(5))
    SeanceFactory(date=_day(5))  # another lieu and module
    SeanceFactory(date=_day(40), lieu=kept.lieu, module=kept.module)
    response = coordinator.get(
        reverse("ateliers:seance_list"),
        {
            "lieu": kept.lieu.pk,
            "module": kept.module.pk,
            "du": _day(0).isoformat(),
            "au": _day(10).isoformat(),
        },
    )
    assert list(response.context["page"].object_list) == [kept]


def test_a_conseiller_filters_their_own_sessions(conseiller, client_for):
    mine = SeanceFactory(animateurs=[conseiller])
    InscriptionFactory.create_batch(2, seance=mine)
    SeanceFactory(animateurs=[UserFactory(conseiller=True)])
    client = client_for(conseiller)
    assert len(client.get(reverse("ateliers:seance_list")).context["page"].object_list) == 2
    response = client.get(reverse("ateliers:seance_list"), {"animateur": "moi"})
    rows = list(response.context["page"].object_list)
    assert rows == [mine] and rows[0].nb_inscrits == 2


def test_the_mine_filter_is_offered_to_conseillers_only(conseiller, client_for, coordinator):
    assert (
        "Mes séances"
        in client_for(conseiller).get(reverse("ateliers:seance_list")).content.decode()
    )
    assert "Mes séances" not in coordinator.get(reverse("ateliers:seance_list")).content.decode()


# --- Creating and changing ----------------------------------------------------------------------


def test_a_conseiller_creating_a_session_is_its_facilitator_by_default(conseiller, client_for):
    client = client_for(conseiller)
    form = client.get(reverse("ateliers:seance_create")).context["form"]
    assert form.initial["animateurs"] == [conseiller.pk]
    response = client.post(
        reverse("ateliers:seance_create"), _seance_data(animateurs=[conseiller.pk])
    )
    seance = Seance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ateliers:seance_detail", args=[seance.pk])
    assert list(seance.animateurs.all()) == [conseiller]
    assert seance.capacite == 8 and seance.inscription_en_ligne
    assert AuditEvent.objects.filter(action="ateliers.seance.created").exists()


def test_the_end_defaults_to_the_module_duration(coordinator):
    module = ModuleFactory(duree_minutes=90)
    coordinator.post(
        reverse("ateliers:seance_create"),
        _seance_data(module=module.pk, start_time="09:30", end_time=""),
    )
    assert Seance.objects.get().end_time == datetime.time(11, 0)


def test_it_shows_errors_in_french_and_keeps_what_was_typed(coordinator):
    response = coordinator.post(
        reverse("ateliers:seance_create"),
        _seance_data(
            date=_day(-1).isoformat(),
            start_time="16:00",
            end_time="14:00",
            capacite="0",
            notes="Apporter les tablettes",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date"] == ["Choisissez aujourd'hui ou une date à venir."]
    assert errors["end_time"] == ["L'heure de fin doit être après l'heure de début."]
    assert errors["capacite"] == ["Une séance compte au moins une place."]
    page = response.content.decode()
    assert 'role="alert"' in page and "Apporter les tablettes" in page and 'value="16:00"' in page
    assert not Seance.objects.exists()


def test_only_active_modules_lieux_and_conseillers_are_offered(coordinator):
    retired = ModuleFactory(actif=False)
    archived = LieuFactory(archived=True)
    gone = UserFactory(conseiller=True, is_active=False)
    coordinator_user = UserFactory(coordinateur=True)
    form = coordinator.get(reverse("ateliers:seance_create")).context["form"]
    assert retired not in form.fields["module"].queryset
    assert archived not in form.fields["lieu"].queryset
    assert gone not in form.fields["animateurs"].queryset
    assert coordinator_user not in form.fields["animateurs"].queryset


def test_the_facilitator_edits_the_session(conseiller, client_for):
    seance = SeanceFactory(animateurs=[conseiller])
    response = client_for(conseiller).post(
        reverse("ateliers:seance_edit", args=[seance.pk]),
        _seance_data(
            module=seance.module.pk,
            lieu=seance.lieu.pk,
            animateurs=[conseiller.pk],
            notes="Salle 2",
        ),
    )
    assert response.status_code == 302
    seance.refresh_from_db()
    assert seance.notes == "Salle 2" and seance.date == _day(3)


def test_more_places_promote_the_waiting_list(coordinator):
    seance = SeanceFactory(capacite=1)
    InscriptionFactory(seance=seance)
    first = InscriptionFactory(seance=seance, attente=True, usager__first_name="Rose")
    second = InscriptionFactory(seance=seance, attente=True)
    response = coordinator.post(
        reverse("ateliers:seance_edit", args=[seance.pk]),
        _seance_data(module=seance.module.pk, lieu=seance.lieu.pk, capacite="2"),
        follow=True,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    seance.refresh_from_db()
    assert seance.capacite == 2
    assert first.statut == StatutInscription.INSCRIT and first.promoted_at is not None
    assert second.statut == StatutInscription.ATTENTE
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"Rose {first.usager.last_name} passe de la liste d'attente" in m for m in shown)


def test_places_cannot_drop_below_the_people_registered(coordinator):
    seance = SeanceFactory(capacite=3)
    InscriptionFactory.create_batch(3, seance=seance)
    response = coordinator.post(
        reverse("ateliers:seance_edit", args=[seance.pk]),
        _seance_data(module=seance.module.pk, lieu=seance.lieu.pk, capacite="2"),
    )
    assert response.status_code == 200
    assert "3 personnes sont déjà inscrites" in response.context["form"].errors["capacite"][0]
    seance.refresh_from_db()
    assert seance.capacite == 3


def test_a_cancelled_session_is_no_longer_edited(coordinator):
    seance = SeanceFactory(cancelled_at=timezone.now())
    response = coordinator.get(reverse("ateliers:seance_edit", args=[seance.pk]))
    assert response.status_code == 302


# --- Cancelling ---------------------------------------------------------------------------------


def test_the_facilitator_cancels_a_session_with_a_reason(
    conseiller, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    seance = SeanceFactory(animateurs=[conseiller])
    InscriptionFactory(seance=seance, usager__email="awa@exemple.test")
    InscriptionFactory(
        seance=seance, usager__first_name="Odette", usager__phone="0611223344", attente=True
    )
    client = client_for(conseiller)
    url = reverse("ateliers:seance_cancel", args=[seance.pk])
    page = client.get(url).content.decode()
    assert "2 personnes inscrites ou en attente" in page

    response = client.post(url, {"motif": ""})
    assert response.context["form"].errors["motif"] == [
        "Indiquez le motif : les personnes inscrites le reçoivent."
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"motif": "Conseillère malade"}, follow=True)
    seance.refresh_from_db()
    assert seance.is_cancelled and seance.motif_annulation == "Conseillère malade"
    assert len(mailoutbox) == 1
    page = response.content.decode()
    assert "Séance annulée" in page and "à prévenir par téléphone" in page
    assert "06 11 22 33 44" in page and 'href="tel:+33611223344"' in page


def test_a_session_with_attendance_taken_cannot_be_cancelled(coordinator):
    seance = SeanceFactory(date=_day(0))
    InscriptionFactory(seance=seance, present=True)
    response = coordinator.post(
        reverse("ateliers:seance_cancel", args=[seance.pk]), {"motif": "Erreur"}
    )
    assert response.status_code == 200
    assert "Des présences ont été notées" in response.content.decode()
    seance.refresh_from_db()
    assert not seance.is_cancelled


def test_registrants_names_are_shown_to_whoever_may_see_them(conseiller, client_for):
    """A conseiller who does not facilitate sees the session, the names of the people they
    follow, and only a count of the others."""
    seance = SeanceFactory(animateurs=[UserFactory(conseiller=True)])
    followed = UsagerFactory(identified=True, first_name="Lina", last_name="Suivie")
    followed.conseillers.add(conseiller)
    InscriptionFactory(seance=seance, usager=followed)
    InscriptionFactory(seance=seance, usager__first_name="Inès", usager__last_name="Inconnue")
    page = client_for(conseiller).get(reverse("ateliers:seance_detail", args=[seance.pk]))
    html = page.content.decode()
    assert "Lina Suivie" in html and "Inconnue" not in html
    assert "1 autre personne inscrite ou en attente" in html
    assert "Présent" not in html  # no attendance for a session they do not run
