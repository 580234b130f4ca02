"""The coordinator's planning, the public schedule and the conseiller's agenda."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from permanences.enums import ModePermanence, Weekday
from permanences.models import Fermeture, Permanence, StatutRendezVous
from poitiers_inclusion.enums import Role
from poitiers_inclusion.holidays import holiday_name
from poitiers_inclusion.models import AuditEvent
from tests.factories import LieuFactory, QuartierFactory
from tests.permanences.factories import PermanenceFactory
from tests.permanences.factories_schedule import (
    BookablePermanenceFactory,
    CreneauFactory,
    FermetureFactory,
    RendezVousFactory,
    next_weekday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _slot_data(lieu, **extra):
    data = {
        "lieu": lieu.pk,
        "weekday": Weekday.MARDI,
        "start_time": "14:00",
        "end_time": "17:00",
        "valid_from": "2024-01-02",
        "valid_until": "",
        "mode": ModePermanence.SANS_RDV,
        "capacity": "",
    }
    data.update(extra)
    return data


# --- Planning -----------------------------------------------------------------------------------


def test_the_coordinator_creates_a_permanence_with_its_conseillers(coordinator, make_user):
    lieu, conseiller = LieuFactory(), make_user(Role.CONSEILLER)
    response = coordinator.post(
        reverse("permanences:permanence_create"),
        _slot_data(lieu, conseillers=[conseiller.pk], mode="sur_rdv", capacity="5"),
    )
    assert response.status_code == 302
    permanence = Permanence.objects.get()
    assert permanence.capacity == 5 and list(permanence.conseillers.all()) == [conseiller]
    assert AuditEvent.objects.filter(action="permanences.permanence.created").exists()


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"end_time": "13:00"}, "end_time", "L'heure de fin doit être après l'heure de début."),
        ({"valid_until": "2023-12-01"}, "valid_until", "La date de fin doit être le même jour"),
        ({"mode": "sur_rdv", "capacity": ""}, "capacity", "Indiquez le nombre de rendez-vous"),
        ({"mode": "sur_rdv", "capacity": "0"}, "capacity", None),
        (
            {"mode": "sur_rdv", "capacity": "40"},  # 14:00-17:00: 36 times of 5 minutes
            "capacity",
            "Un créneau de 180 minutes tient au plus 36 rendez-vous",
        ),
    ],
)
def test_bad_schedule_input_is_explained_next_to_the_field(coordinator, extra, field, message):
    lieu = LieuFactory()
    response = coordinator.post(reverse("permanences:permanence_create"), _slot_data(lieu, **extra))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in " ".join(errors[field])
    assert not Permanence.objects.exists()


def test_a_walk_in_permanence_keeps_no_capacity(coordinator):
    lieu = LieuFactory()
    coordinator.post(reverse("permanences:permanence_create"), _slot_data(lieu, capacity="8"))
    assert Permanence.objects.get().capacity is None


def test_two_permanences_cannot_overlap_at_the_same_place(coordinator):
    existing = PermanenceFactory(weekday=Weekday.MARDI, valid_from=datetime.date(2023, 1, 1))
    response = coordinator.post(
        reverse("permanences:permanence_create"),
        _slot_data(existing.lieu, start_time="16:00", end_time="18:00"),
    )
    assert "start_time" in response.context["form"].errors
    # Right after it ends, the place is free again.
    existing.valid_until = datetime.date(2023, 12, 31)
    existing.save()
    response = coordinator.post(
        reverse("permanences:permanence_create"),
        _slot_data(existing.lieu, start_time="16:00", end_time="18:00"),
    )
    assert response.status_code == 302


def test_ending_a_permanence_sets_its_last_day_and_warns_of_later_bookings(coordinator):
    permanence = BookablePermanenceFactory()
    later = next_weekday(permanence.weekday, weeks=2)
    RendezVousFactory(creneau=CreneauFactory(permanence=permanence, date=later))
    last_day = next_weekday(permanence.weekday)
    response = coordinator.post(
        reverse("permanences:permanence_end", args=[permanence.pk]),
        {"last_day": last_day.isoformat()},
        follow=True,
    )
    permanence.refresh_from_db()
    assert permanence.valid_until == last_day
    assert "1 rendez-vous pris après cette date" in response.content.decode()


def test_ending_before_the_start_is_refused(coordinator):
    permanence = PermanenceFactory(valid_from=datetime.date(2023, 1, 1))
    response = coordinator.post(
        reverse("permanences:permanence_end", args=[permanence.pk]), {"last_day": "2022-06-01"}
    )
    assert "last_day" in response.context["form"].errors
    permanence.refresh_from_db()
    assert permanence.valid_until is None


def test_a_one_off_slot_is_a_one_day_permanence(coordinator):
    lieu, day = LieuFactory(), next_weekday(Weekday.SAMEDI)
    response = coordinator.post(
        reverse("permanences:extra_slot_create"),
        {
            "lieu": lieu.pk,
            "date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "mode": "sur_rdv",
            "capacity": "4",
        },
    )
    assert response.status_code == 302
    slot = Permanence.objects.get()
    assert slot.is_one_off and slot.valid_from == slot.valid_until == day
    assert slot.weekday == Weekday.SAMEDI
    # It is edited with the same one-off form.
    page = coordinator.get(reverse("permanences:permanence_edit", args=[slot.pk]))
    assert "date" in page.context["form"].fields


def test_a_one_off_slot_in_the_past_is_refused(coordinator):
    lieu = LieuFactory()
    response = coordinator.post(
        reverse("permanences:extra_slot_create"),
        {
            "lieu": lieu.pk,
            "date": "2020-01-04",
            "start_time": "10:00",
            "end_time": "12:00",
            "mode": "sans_rdv",
        },
    )
    assert "date" in response.context["form"].errors


def test_a_closure_targets_a_lieu_or_a_permanence_not_both(coordinator):
    permanence = PermanenceFactory()
    url = reverse("permanences:closure_create")
    base = {"start_date": "2030-01-01", "end_date": "2030-01-07", "message": "Travaux"}
    both = coordinator.post(url, base | {"lieu": permanence.lieu.pk, "permanence": permanence.pk})
    neither = coordinator.post(url, base)
    backwards = coordinator.post(
        url, base | {"permanence": permanence.pk, "end_date": "2029-12-01"}
    )
    assert "lieu" in both.context["form"].errors and "lieu" in neither.context["form"].errors
    assert "end_date" in backwards.context["form"].errors
    assert coordinator.post(url, base | {"permanence": permanence.pk}).status_code == 302
    assert Fermeture.objects.get().permanence == permanence


def test_the_planning_lists_slots_one_offs_and_closures(coordinator, django_assert_max_num_queries):
    today = timezone.localdate()
    current = [PermanenceFactory(valid_from=datetime.date(2023, 1, 1)) for _ in range(5)]
    PermanenceFactory(valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1))
    one_off = PermanenceFactory(
        is_one_off=True, valid_from=today, valid_until=today, weekday=today.weekday()
    )
    FermetureFactory(permanence=current[0], message="Vacances de Noël")
    with django_assert_max_num_queries(15):
        response = coordinator.get(reverse("permanences:schedule"))
    page = response.content.decode()
    assert len(response.context["page"].object_list) == 5  # current ones by default
    assert one_off.lieu.nom in page and "Vacances de Noël" in page
    ended = coordinator.get(reverse("permanences:schedule"), {"etat": "terminees"})
    assert len(ended.context["page"].object_list) == 1


def test_deleting_a_closure_is_audited(coordinator):
    closure = FermetureFactory()
    response = coordinator.post(reverse("permanences:closure_delete", args=[closure.pk]))
    assert response.status_code == 302 and not Fermeture.objects.exists()
    assert AuditEvent.objects.filter(action="permanences.fermeture.deleted").exists()


# --- Public schedule ----------------------------------------------------------------------------


def test_the_public_page_lists_the_next_three_weeks_by_quartier(client):
    nord, sud = QuartierFactory(nom="Nord"), QuartierFactory(nom="Sud")
    lieu_nord = LieuFactory(
        nom="Médiathèque Nord",
        quartier=nord,
        connexion_solidaire=True,
        accessibilite="Accès de plain-pied",
    )
    PermanenceFactory(lieu=lieu_nord, weekday=Weekday.MARDI, valid_from=datetime.date(2023, 1, 1))
    bookable = BookablePermanenceFactory(
        lieu=LieuFactory(nom="Épicerie Sud", quartier=sud), weekday=Weekday.JEUDI
    )
    PermanenceFactory(
        lieu=LieuFactory(nom="Ancien lieu", quartier=sud),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    response = client.get(reverse("permanences:public_schedule"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Nord") < page.index("Médiathèque Nord") < page.index("Épicerie Sud")
    assert "Wi-Fi gratuit (connexion solidaire)" in page and "Accès de plain-pied" in page
    assert "Ancien lieu" not in page
    today = timezone.localdate()
    tuesdays = [today + datetime.timedelta((1 - today.weekday()) % 7 + 7 * n) for n in range(3)]
    open_tuesdays = [day for day in tuesdays if not holiday_name(day)]  # holidays are closed
    assert page.count("Sans rendez-vous</span>") == len(open_tuesdays)
    book_url = reverse(
        "permanences:booking_new",
        args=[bookable.pk, next_weekday(Weekday.JEUDI).isoformat()],
    )
    assert book_url in page

    filtered = client.get(reverse("permanences:public_schedule"), {"quartier": sud.pk})
    assert "Médiathèque Nord" not in filtered.content.decode()
    assert "Épicerie Sud" in filtered.content.decode()


def test_the_public_page_shows_closures_with_their_message_and_full_slots(client):
    permanence = BookablePermanenceFactory(capacity=1)
    day = next_weekday(permanence.weekday)
    FermetureFactory(
        permanence=permanence, start_date=day, end_date=day, message="Formation des conseillers"
    )
    RendezVousFactory(
        creneau=CreneauFactory(permanence=permanence, date=day + datetime.timedelta(7))
    )
    page = client.get(reverse("permanences:public_schedule")).content.decode()
    assert "Formation des conseillers" in page and "Fermé ce jour-là" in page
    assert "Complet" in page


def test_archived_places_are_not_public(client):
    PermanenceFactory(lieu=LieuFactory(nom="Lieu archivé", archived=True))
    assert "Lieu archivé" not in client.get(reverse("permanences:public_schedule")).content.decode()


# --- Agenda -------------------------------------------------------------------------------------


def test_the_agenda_shows_a_conseiller_their_day_with_bookings(users, client_for):
    conseiller = users[Role.CONSEILLER]
    mine = BookablePermanenceFactory()
    mine.conseillers.add(conseiller)
    other = BookablePermanenceFactory(weekday=mine.weekday, lieu=LieuFactory(nom="Pas chez moi"))
    day = next_weekday(mine.weekday)
    RendezVousFactory(creneau=CreneauFactory(permanence=mine, date=day), nom="Jeanne Visible")
    RendezVousFactory(creneau=CreneauFactory(permanence=other, date=day), nom="Paul Caché")
    page = client_for(conseiller).get(reverse("permanences:agenda"), {"date": day.isoformat()})
    html = page.content.decode()
    assert "Jeanne Visible" in html and mine.lieu.nom in html
    assert "Paul Caché" not in html and "Pas chez moi" not in html


def test_the_coordinators_agenda_puts_each_booking_under_its_desk(users, client_for):
    first = BookablePermanenceFactory(lieu=LieuFactory(nom="Médiathèque"))
    second = BookablePermanenceFactory(weekday=first.weekday, lieu=LieuFactory(nom="Mairie"))
    day = next_weekday(first.weekday)
    for permanence, names in ((first, ("Jeanne", "Ali")), (second, ("Paul",))):
        creneau = CreneauFactory(permanence=permanence, date=day)
        for minutes, name in enumerate(names):
            RendezVousFactory(creneau=creneau, nom=name, heure=datetime.time(14, 30 * minutes))
    page = client_for(users[Role.COORDINATEUR]).get(
        reverse("permanences:agenda"), {"date": day.isoformat()}
    )
    shown = {
        o.permanence.lieu.nom: sorted(b.nom for b in o.rendez_vous)
        for o in page.context["occurrences"]
    }
    assert shown == {"Médiathèque": ["Ali", "Jeanne"], "Mairie": ["Paul"]}


def test_the_conseiller_marks_arrived_then_absent(users, client_for):
    conseiller = users[Role.CONSEILLER]
    rdv = RendezVousFactory()
    rdv.creneau.permanence.conseillers.add(conseiller)
    client = client_for(conseiller)
    url = reverse("permanences:booking_status", args=[rdv.pk])
    response = client.post(url, {"statut": "arrive"})
    assert response.status_code == 302 and rdv.date.isoformat() in response["Location"]
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.ARRIVE
    client.post(url, {"statut": "absent"})
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.ABSENT
    client.post(url, {"statut": "annule"})  # cancelling is the resident's link, not a status
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.ABSENT


def test_a_conseiller_cannot_touch_another_desks_booking(users, client_for):
    rdv = RendezVousFactory()
    client = client_for(users[Role.CONSEILLER])
    response = client.post(
        reverse("permanences:booking_status", args=[rdv.pk]), {"statut": "arrive"}
    )
    assert response.status_code == 404


def test_one_click_turns_a_booking_into_a_prefilled_log_form(users, client_for):
    conseiller = users[Role.CONSEILLER]
    rdv = RendezVousFactory()
    permanence = rdv.creneau.permanence
    permanence.conseillers.add(conseiller)
    response = client_for(conseiller).post(reverse("permanences:booking_mediation", args=[rdv.pk]))
    location = urlparse(response["Location"])
    assert location.path == reverse("permanences:log")
    assert parse_qs(location.query) == {
        "lieu": [str(permanence.lieu_id)],
        "permanence": [str(permanence.pk)],
        "date": [rdv.date.isoformat()],
        "booking": [str(rdv.pk)],
    }
    rdv.refresh_from_db()
    assert rdv.statut == StatutRendezVous.VU


def test_attach_mediation_links_only_the_matching_booking(users):
    from permanences import booking
    from tests.permanences.factories import MediationFactory

    conseiller = users[Role.CONSEILLER]
    rdv = RendezVousFactory()
    rdv.creneau.permanence.conseillers.add(conseiller)
    wrong_day = MediationFactory(conseiller=conseiller, date=rdv.date + datetime.timedelta(1))
    assert (
        booking.attach_mediation(rendez_vous_id=rdv.pk, mediation=wrong_day, actor=conseiller)
        is None
    )
    right = MediationFactory(
        conseiller=conseiller, date=rdv.date, permanence=rdv.creneau.permanence
    )
    booking.attach_mediation(rendez_vous_id=rdv.pk, mediation=right, actor=conseiller)
    rdv.refresh_from_db()
    assert rdv.mediation == right and rdv.statut == StatutRendezVous.VU


def _booking_today():
    from tests.permanences.factories_schedule import BookablePermanenceFactory, CreneauFactory

    today = timezone.localdate()
    permanence = BookablePermanenceFactory(
        weekday=today.weekday(), valid_from=today - datetime.timedelta(days=30)
    )
    return RendezVousFactory(creneau=CreneauFactory(permanence=permanence, date=today))


def test_the_report_logged_from_a_booking_is_linked_to_it(users, client_for):
    """Agenda → "Saisir" → save: the booking points at the médiation the conseiller just logged."""
    from tests.permanences.factories_log import log_post

    conseiller = users[Role.CONSEILLER]
    rdv = _booking_today()
    permanence = rdv.creneau.permanence
    permanence.conseillers.add(conseiller)
    client = client_for(conseiller)
    form_url = client.post(reverse("permanences:booking_mediation", args=[rdv.pk]))["Location"]
    page = client.get(form_url).content.decode()
    assert f'name="rendez_vous" value="{rdv.pk}"' in page

    data = log_post(permanence.lieu, date=rdv.date.isoformat(), rendez_vous=str(rdv.pk))
    response = client.post(reverse("permanences:log"), data)
    assert response.status_code == 302
    rdv.refresh_from_db()
    assert rdv.mediation is not None
    assert rdv.mediation.conseiller == conseiller and rdv.mediation.date == rdv.date
    assert rdv.statut == StatutRendezVous.VU


def test_a_forged_booking_number_links_nothing(users, client_for, make_user):
    from tests.permanences.factories_log import log_post

    conseiller = users[Role.CONSEILLER]
    rdv = _booking_today()  # at a permanence this conseiller does not hold
    rdv.creneau.permanence.conseillers.add(make_user(Role.CONSEILLER))
    data = log_post(rdv.creneau.permanence.lieu, date=rdv.date.isoformat(), rendez_vous=str(rdv.pk))
    assert client_for(conseiller).post(reverse("permanences:log"), data).status_code == 302
    rdv.refresh_from_db()
    assert rdv.mediation is None
