"""The log form: what a conseiller types becomes one report with the right people in it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permanences.enums import Thematique, ThematiqueDemarche, TypeActivite
from permanences.models import Accompagnement, Mediation, Permanence
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import AuditEvent, Usager
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory
from tests.permanences.factories import MediationFactory
from tests.permanences.factories_log import checked, log_post, permanence_today

pytestmark = pytest.mark.django_db
LOG = "permanences:log"


@pytest.fixture
def conseiller(users):
    return users["conseiller"]


@pytest.fixture
def client(conseiller, client_for):
    return client_for(conseiller)


def test_it_preselects_today_and_the_current_permanence(client, conseiller):
    permanence = permanence_today(conseiller)
    response = client.get(reverse(LOG))
    form = response.context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["lieu"] == permanence.lieu_id
    assert permanence.lieu.nom in response.content.decode()


def test_it_preselects_the_slot_running_now_not_the_mornings(conseiller):
    morning = permanence_today(
        conseiller, start_time=datetime.time(9, 0), end_time=datetime.time(12, 0)
    )
    afternoon = permanence_today(
        conseiller, start_time=datetime.time(14, 0), end_time=datetime.time(17, 0)
    )

    def at(hour, minute=0):
        today = timezone.localdate()
        moment = datetime.datetime.combine(today, datetime.time(hour, minute))
        return Permanence.objects.current_slot(conseiller, timezone.make_aware(moment))

    assert at(10) == morning
    assert at(15, 30) == afternoon
    assert at(13) == afternoon  # between two slots: the next one
    assert at(8) == morning
    assert at(19) == afternoon  # after closing: the day's last one


def test_it_preselects_the_last_duration(client, conseiller):
    MediationFactory(conseiller=conseiller, duree_minutes=45)
    assert client.get(reverse(LOG)).context["form"].initial["duree"] == "45"
    MediationFactory(conseiller=conseiller, duree_minutes=50)
    initial = client.get(reverse(LOG)).context["form"].initial
    assert (initial["duree"], initial["duree_autre"]) == ("autre", 50)


def test_a_workshops_duration_does_not_leak_into_the_next_individual_help(client, conseiller):
    today = timezone.localdate()
    MediationFactory(
        conseiller=conseiller, duree_minutes=45, date=today - datetime.timedelta(days=1)
    )
    MediationFactory(
        conseiller=conseiller,
        type_activite=TypeActivite.COLLECTIF,
        titre_atelier="Atelier e-mail",
        duree_minutes=120,
        date=today,
    )
    # "Enregistrer et saisir la suivante" lands on the form with the date and the lieu.
    response = client.get(reverse(LOG), {"date": today.isoformat()})
    initial = response.context["form"].initial
    assert (initial["type_activite"], initial["duree"]) == (TypeActivite.INDIVIDUEL, "45")
    assert "Durée reprise de votre dernier accompagnement individuel" in response.content.decode()


def test_without_an_individual_help_yet_the_duration_is_the_default(client, conseiller):
    MediationFactory(conseiller=conseiller, type_activite=TypeActivite.COLLECTIF, duree_minutes=120)
    response = client.get(reverse(LOG))
    assert response.context["form"].initial["duree"] == "30"
    assert "Durée reprise" not in response.content.decode()


def test_it_shows_the_labels_of_the_national_vocabulary(client):
    page = client.get(reverse(LOG)).content.decode()
    for label in (
        "Aide aux démarches administratives",
        "Prendre en main du matériel",
        "Lieu d’activité",
        "Atelier collectif",
        "Autonome avec guidage en cas de besoin",
        "Papiers - Élections - Citoyenneté",
    ):
        assert label in page


def test_it_records_an_anonymous_individual_mediation(client, conseiller):
    permanence = permanence_today(conseiller)
    quartier = QuartierFactory()
    response = client.post(
        reverse(LOG),
        log_post(
            permanence.lieu,
            duree="45",
            thematiques=[Thematique.EMAIL, Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES],
            thematiques_demarche=[ThematiqueDemarche.ARGENT_IMPOTS],
            nom_demarche="Déclaration de revenus",
            genre=Genre.FEMININ,
            tranche_age=TrancheAge.PLUS_DE_70,
            statut_social=StatutSocial.RETRAITE,
            quartier=str(quartier.pk),
            materiel=["telephone"],
            autonomie="partiellement_autonome",
            satisfaction="tres_satisfait",
            source_connaissance="mediatheque",
            premiere_visite="oui",
            tags="impots, urgent",
            notes="Revenir avec l'avis",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("permanences:home")
    mediation = Mediation.objects.get()
    assert mediation.conseiller == conseiller
    assert mediation.lieu == permanence.lieu
    assert mediation.permanence == permanence
    assert mediation.duree_minutes == 45
    assert mediation.thematiques_demarche == [ThematiqueDemarche.ARGENT_IMPOTS]
    assert mediation.nom_demarche == "Déclaration de revenus"
    assert mediation.tags == ["impots", "urgent"]
    assert mediation.premiere_visite is True
    usager = Usager.objects.get()
    assert not usager.is_identified
    assert (usager.genre, usager.tranche_age, usager.statut_social, usager.quartier) == (
        Genre.FEMININ,
        TrancheAge.PLUS_DE_70,
        StatutSocial.RETRAITE,
        quartier,
    )
    assert list(usager.conseillers.all()) == [conseiller]
    assert usager.last_seen_on == timezone.localdate()
    assert AuditEvent.objects.for_object(mediation).filter(action__endswith="created").exists()
    follow = client.get(response["Location"])
    assert "enregistrée" in follow.content.decode()


def test_it_uses_a_custom_duration(client):
    lieu = LieuFactory()
    client.post(reverse(LOG), log_post(lieu, duree="autre", duree_autre="25"))
    assert Mediation.objects.get().duree_minutes == 25


def test_it_drops_the_demarches_when_the_theme_is_not_chosen_with_javascript(client):
    # With JavaScript the sub-list is hidden and cleared; a démarche ticked without JavaScript
    # adds the theme rather than losing what was typed.
    client.post(reverse(LOG), log_post(LieuFactory(), thematiques_demarche=["logement"]))
    mediation = Mediation.objects.get()
    assert Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES in mediation.thematiques
    assert mediation.thematiques_demarche == ["logement"]


def test_it_needs_one_thematique_and_keeps_what_was_typed(client, conseiller):
    chosen = UsagerFactory(identified=True, last_name="Dupuis")
    chosen.conseillers.add(conseiller)
    response = client.post(
        reverse(LOG),
        log_post(
            LieuFactory(),
            thematiques=[],
            materiel=["tablette"],
            duree="90",
            notes="Notes à garder",
            usager_mode="existant",
            usager=str(chosen.pk),
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez au moins une thématique." in page
    assert "Notes à garder" in page
    assert checked(page, "materiel") == {"tablette"}
    assert checked(page, "duree") == {"90"}
    assert "DUPUIS" in page and checked(page, "usager") == {str(chosen.pk)}
    assert checked(page, "usager_mode") == {"existant"}
    assert Mediation.objects.count() == 0


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"lieu": ""}, "lieu", "Choisissez le lieu"),
        ({"duree": "autre", "duree_autre": ""}, "duree_autre", "Indiquez la durée en minutes."),
        (
            {"duree": "autre", "duree_autre": "abc"},
            "duree_autre",
            "Saisissez un nombre de minutes.",
        ),
        ({"date": "32/13/2024"}, "date", "Saisissez une date valide"),
        ({"usager_mode": "existant"}, "usager", "Choisissez l'usager"),
        (
            {"usager_mode": "nouveau", "new_last_name": "Durand"},
            "consent",
            "Sans le consentement",
        ),
        (
            {
                "usager_mode": "nouveau",
                "new_last_name": "Durand",
                "consent": "on",
                "new_email": "x",
            },
            "new_email",
            "adresse e-mail valide",
        ),
        (
            {
                "usager_mode": "nouveau",
                "new_last_name": "Durand",
                "consent": "on",
                "new_phone": "06 12",
            },
            "new_phone",
            "Numéro de téléphone invalide : écrivez par exemple 05 49 41 00 00 ou +33 5 49 41 00 00",
        ),
    ],
)
def test_it_explains_bad_input_in_french_next_to_the_field(client, overrides, field, message):
    response = client.post(reverse(LOG), log_post(LieuFactory(), **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Mediation.objects.count() == 0


def test_it_refuses_a_usager_the_conseiller_never_helped(client):
    stranger = UsagerFactory(identified=True)
    response = client.post(
        reverse(LOG), log_post(LieuFactory(), usager_mode="existant", usager=str(stranger.pk))
    )
    assert response.status_code == 400
    assert "n'est pas dans vos usagers" in response.content.decode().replace("&#x27;", "'")


def test_it_records_an_identified_usager_already_helped(client, conseiller):
    usager = UsagerFactory(identified=True, last_seen_on=datetime.date(2020, 1, 1))
    usager.conseillers.add(conseiller)
    client.post(
        reverse(LOG), log_post(LieuFactory(), usager_mode="existant", usager=str(usager.pk))
    )
    assert Accompagnement.objects.get().usager == usager
    usager.refresh_from_db()
    assert usager.last_seen_on == timezone.localdate()
    assert Usager.objects.count() == 1


def test_it_creates_an_identified_usager_with_consent(client, conseiller):
    client.post(
        reverse(LOG),
        log_post(
            LieuFactory(),
            usager_mode="nouveau",
            new_first_name="Odette",
            new_last_name="Marchand",
            new_phone="06 11 22 33 44",
            new_birth_year="1950",
            genre=Genre.FEMININ,
            tranche_age=TrancheAge.DE_18_A_24,  # ignored: the birth year says the band
            consent="on",
        ),
    )
    usager = Accompagnement.objects.get().usager
    assert usager.is_identified and usager.full_name == "Odette Marchand"
    assert usager.birth_year == 1950 and usager.phone == "+33611223344"
    assert usager.age_band == TrancheAge.PLUS_DE_70
    assert conseiller in usager.conseillers.all()
    assert AuditEvent.objects.for_object(usager).filter(action__endswith="created").exists()


def test_it_records_a_collective_workshop_with_counts_and_identified_people(client, conseiller):
    known = UsagerFactory(identified=True)
    known.conseillers.add(conseiller)
    response = client.post(
        reverse(LOG),
        log_post(
            LieuFactory(),
            type_activite=TypeActivite.COLLECTIF,
            titre_atelier="Découvrir sa boîte mail",
            niveau_atelier="debutant",
            anonymes_total="5",
            nb_genre_feminin="3",
            nb_genre_masculin="2",
            nb_age_70_ans_et_plus="4",
            nb_statut_retraite="4",
            nb_statut_sans_emploi="1",
            participants=[str(known.pk)],
            duree="120",
        ),
    )
    assert response.status_code == 302
    mediation = Mediation.objects.get()
    assert mediation.titre_atelier == "Découvrir sa boîte mail"
    people = Usager.objects.filter(accompagnements__mediation=mediation)
    assert people.count() == 6
    anonymous = people.filter(consent_at__isnull=True)
    assert anonymous.filter(genre=Genre.FEMININ).count() == 3
    assert anonymous.filter(genre=Genre.MASCULIN).count() == 2
    assert anonymous.filter(tranche_age=TrancheAge.PLUS_DE_70).count() == 4
    assert anonymous.filter(tranche_age=TrancheAge.NON_COMMUNIQUE).count() == 1
    assert anonymous.filter(statut_social=StatutSocial.RETRAITE).count() == 4
    assert all(conseiller in u.conseillers.all() for u in people)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "6 participants" in messages[0]


def test_it_refuses_counts_above_the_number_of_participants(client):
    response = client.post(
        reverse(LOG),
        log_post(
            LieuFactory(),
            type_activite=TypeActivite.COLLECTIF,
            anonymes_total="3",
            nb_genre_feminin="3",
            nb_genre_masculin="1",
        ),
    )
    assert response.status_code == 400
    assert (
        "Genre : 4 participants comptés pour 3 participants anonymes." in response.content.decode()
    )
    assert Mediation.objects.count() == 0


def test_it_needs_at_least_one_participant_in_a_workshop(client):
    response = client.post(
        reverse(LOG), log_post(LieuFactory(), type_activite=TypeActivite.COLLECTIF)
    )
    assert response.status_code == 400
    assert "anonymes_total" in response.context["form"].errors


def test_save_and_next_returns_a_fresh_form_with_the_same_place_and_date(client):
    lieu = LieuFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse(LOG), log_post(lieu, date=yesterday.isoformat(), suivante="1", notes="x")
    )
    assert response.status_code == 302
    fresh = client.get(response["Location"])
    form = fresh.context["form"]
    assert form.initial["lieu"] == lieu.pk
    assert form.initial["date"] == yesterday
    assert "notes" not in form.initial
    assert "enregistrée" in fresh.content.decode()


def test_a_double_submit_creates_one_report(client):
    data = log_post(LieuFactory())
    first = client.post(reverse(LOG), data)
    second = client.post(reverse(LOG), data)
    mediation = Mediation.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("permanences:mediation_edit", args=[mediation.pk])
    assert Accompagnement.objects.count() == 1
    assert Usager.objects.count() == 1


def test_each_form_carries_its_own_token(client):
    first = client.get(reverse(LOG)).context["form"].initial["submission_token"]
    second = client.get(reverse(LOG)).context["form"].initial["submission_token"]
    assert first != second


def test_the_search_fragment_lists_only_the_conseillers_usagers(client, conseiller):
    mine = UsagerFactory(identified=True, last_name="Lambert")
    mine.conseillers.add(conseiller)
    UsagerFactory(identified=True, last_name="Lambertin")  # helped by someone else
    anonymous = UsagerFactory()
    anonymous.conseillers.add(conseiller)
    response = client.get(
        reverse("permanences:usager_search"), {"usager_q": "lamb"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "LAMBERT " in page and "LAMBERTIN" not in page
    assert f'name="usager" value="{mine.pk}"' in page
    response = client.get(
        reverse("permanences:usager_search"),
        {"participants_q": "lamb", "field": "participants"},
        headers={"HX-Request": "true"},
    )
    assert 'type="checkbox" name="participants"' in response.content.decode()
    # Opened without htmx, the same search is a page of its own.
    page = client.get(reverse("permanences:usager_search"), {"q": "lamb"}).content.decode()
    assert "<h1" in page and "LAMBERT " in page and "LAMBERTIN" not in page


def test_the_search_works_without_javascript_and_keeps_the_form(client, conseiller):
    mine = UsagerFactory(identified=True, last_name="Fontaine")
    mine.conseillers.add(conseiller)
    response = client.post(
        reverse(LOG),
        log_post(
            LieuFactory(),
            notes="Gardé",
            usager_mode="existant",
            usager_q="font",
            action="rechercher_usager",
            thematiques=[Thematique.SANTE],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "FONTAINE" in page and "Gardé" in page
    assert checked(page, "thematiques") == {"sante"}
    assert checked(page, "usager_mode") == {"existant"}
    assert "erreur" not in page
    assert Mediation.objects.count() == 0


def test_a_coordinator_can_log_too(users, client_for):
    response = client_for(users["coordinateur"]).post(reverse(LOG), log_post(LieuFactory()))
    assert response.status_code == 302
    assert Mediation.objects.get().conseiller == users["coordinateur"]


def test_home_shows_todays_permanence_and_last_mediations(client, conseiller):
    permanence = permanence_today(conseiller)
    other_day = permanence_today(conseiller)
    other_day.weekday = (other_day.weekday + 1) % 7
    other_day.save()
    MediationFactory(conseiller=conseiller, lieu=permanence.lieu, notes="x")
    MediationFactory(lieu=other_day.lieu)  # someone else's
    response = client.get(reverse("permanences:home"))
    page = response.content.decode()
    assert "Saisir une médiation" in page
    assert permanence.lieu.nom in page
    assert other_day.lieu.nom not in page
    assert len(response.context["recent"]) == 1


def test_a_conseiller_lands_on_the_log_home(client):
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("permanences:home")


def test_a_report_at_home_has_no_lieu_nor_permanence(client, conseiller):
    permanence = permanence_today(conseiller)
    client.post(reverse(LOG), log_post(permanence.lieu, type_lieu="domicile"))
    mediation = Mediation.objects.get()
    assert (mediation.lieu, mediation.permanence) == (None, None)


def test_saving_takes_a_few_queries_whatever_the_history(
    client, conseiller, django_assert_max_num_queries
):
    lieu = LieuFactory()
    client.post(reverse(LOG), log_post(lieu))
    with django_assert_max_num_queries(25) as first:
        client.post(reverse(LOG), log_post(lieu))
    for _ in range(30):
        MediationFactory(conseiller=conseiller, lieu=lieu)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.post(reverse(LOG), log_post(lieu))


def test_the_log_form_search_finds_a_record_number_and_a_phone_number(client, conseiller):
    mine = UsagerFactory(identified=True, last_name="Guérin", phone="05 49 11 22 33")
    mine.conseillers.add(conseiller)
    for typed in (f"n°{mine.pk}", "0549112233", "guerin"):
        response = client.get(
            reverse("permanences:usager_search"),
            {"usager_q": typed},
            headers={"HX-Request": "true"},
        )
        assert f'name="usager" value="{mine.pk}"' in response.content.decode(), typed
