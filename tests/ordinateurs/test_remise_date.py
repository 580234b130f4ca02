"""The hand-over has its own date: the ceremony's day by default (else today), typed when it
was another day, never in the future; the receipt, the figures, the donor's report and the
device's history read it."""

import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ordinateurs import documents, services
from ordinateurs import figures as ordinateurs_figures
from ordinateurs.dons_views import impact_report
from ordinateurs.enums import Etat, StatutDemande
from ordinateurs.models import Evenement
from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from tests.ordinateurs.factories import CeremonieFactory, DemandeFactory, ready_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinateur(users):
    return users[Role.COORDINATEUR]


@pytest.fixture
def coordination(coordinateur, client_for):
    return client_for(coordinateur)


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _reserved(users, coordinateur, on):
    ordinateur = ready_device(users[Role.TECHNICIEN])
    demande = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=_aware(on, 9))
    return services.propose(
        demande=demande, ordinateur=ordinateur, actor=coordinateur, at=_aware(on, 10)
    )


def _url(attribution):
    return reverse("ordinateurs:attribution_hand_over", args=[attribution.pk])


def test_a_hand_over_noted_after_the_ceremony_takes_the_ceremony_s_date(
    users, coordinateur, coordination, client_for
):
    last_year = timezone.localdate().year - 1
    ceremony_day = datetime.date(last_year, 12, 16)
    attribution = _reserved(users, coordinateur, datetime.date(last_year, 12, 1))
    ceremonie = CeremonieFactory(titre="Remise d'hiver", date=_aware(ceremony_day, 18))

    form = coordination.get(_url(attribution), {"ceremonie": ceremonie.pk}).context["form"]
    assert form["remis_le"].value() == ceremony_day
    response = coordination.post(_url(attribution), {"ceremonie": ceremonie.pk, "remis_le": ""})
    assert response.status_code == 302
    attribution.refresh_from_db()
    assert timezone.localdate(attribution.handed_over_at) == ceremony_day

    receipt = coordination.get(reverse("ordinateurs:recu_remise", args=[attribution.pk]))
    said = f"Remis le</dt><dd>16/12/{last_year}, lors de la cérémonie « Remise d'hiver »"
    assert said in unescape(receipt.content.decode())
    pdf = PdfReader(io.BytesIO(documents.receipt(receipt.context)))
    assert f"16/12/{last_year}, lors de la cérémonie" in pdf.pages[0].extract_text()

    # The device's history, the figures and the donor's report: the ceremony's year.
    remis = Evenement.objects.get(ordinateur=attribution.ordinateur, vers=Etat.REMIS)
    assert timezone.localdate(remis.at) == ceremony_day
    page = client_for(users[Role.TECHNICIEN]).get(
        reverse("ordinateurs:ordinateur_detail", args=[attribution.ordinateur_id])
    )
    assert f"le 16/12/{last_year} à 18h00" in page.content.decode()
    that_year = figures.Scope(
        start=datetime.date(last_year, 1, 1), end=datetime.date(last_year, 12, 31)
    )
    totals = ordinateurs_figures.totals(that_year)
    assert (totals["remis"], totals["foyers_equipes"], totals["delai_median_jours"]) == (1, 1, 15)
    this_year = figures.Scope(start=datetime.date(last_year + 1, 1, 1))
    assert ordinateurs_figures.totals(this_year)["foyers_equipes"] == 0
    donor = attribution.ordinateur.don.donateur
    report = impact_report(donor, last_year)
    assert (report["remis"], report["foyers_equipes"]) == (1, 1)
    assert impact_report(donor, last_year + 1)["foyers_equipes"] == 0


def test_a_hand_over_for_a_ceremony_still_to_come_is_refused(users, coordinateur, coordination):
    attribution = _reserved(users, coordinateur, timezone.localdate())
    coming = CeremonieFactory(date=timezone.now() + datetime.timedelta(days=10))
    response = coordination.post(_url(attribution), {"ceremonie": coming.pk, "remis_le": ""})
    assert response.status_code == 200
    day = timezone.localtime(coming.date).strftime("%d/%m/%Y")
    assert response.context["form"].errors["remis_le"] == [
        f"La cérémonie « {coming.titre} » a lieu le {day} : notez la remise ce jour-là ou "
        "après, quand l'ordinateur a été remis. D'ici là, il reste réservé pour ce foyer."
    ]
    attribution.refresh_from_db()
    assert attribution.handed_over_at is None and attribution.ordinateur.etat == Etat.RESERVE


def test_the_day_is_typed_when_it_was_another_day(users, coordinateur, coordination):
    today = timezone.localdate()
    attribution = _reserved(users, coordinateur, today - datetime.timedelta(days=5))
    two_days_ago = today - datetime.timedelta(days=2)
    response = coordination.post(_url(attribution), {"remis_le": two_days_ago.isoformat()})
    assert response.status_code == 302
    attribution.refresh_from_db()
    assert timezone.localdate(attribution.handed_over_at) == two_days_ago
    assert timezone.localdate(attribution.demande.closed_at) == two_days_ago


@pytest.mark.parametrize(
    "days, message",
    [
        (1, "La remise ne peut pas être datée dans le futur"),
        (-9, "L'ordinateur a été réservé pour ce foyer le"),
    ],
)
def test_a_day_in_the_future_or_before_the_reservation_is_refused(
    days, message, users, coordinateur, coordination
):
    today = timezone.localdate()
    attribution = _reserved(users, coordinateur, today - datetime.timedelta(days=5))
    typed = (today + datetime.timedelta(days=days)).isoformat()
    response = coordination.post(_url(attribution), {"remis_le": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["remis_le"][0].startswith(message)
    assert response.context["form"]["remis_le"].value() == typed  # kept as typed


def test_a_hand_over_at_a_ceremony_is_on_the_ceremony_s_day(users, coordinateur, coordination):
    today = timezone.localdate()
    attribution = _reserved(users, coordinateur, today - datetime.timedelta(days=10))
    ceremonie = CeremonieFactory(date=timezone.now() - datetime.timedelta(days=3))
    other_day = (today - datetime.timedelta(days=1)).isoformat()
    response = coordination.post(
        _url(attribution), {"ceremonie": ceremonie.pk, "remis_le": other_day}
    )
    assert (
        "une remise lors de cette cérémonie porte cette date"
        in (response.context["form"].errors["remis_le"][0])
    )
