"""Documents for donors: the donation attestation (data of the cerfa 2041-MEC-SD receipt) and
the yearly impact report, counted from the devices' events and free of personal data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs import services
from ordinateurs.dons_views import impact_report
from ordinateurs.enums import Etat, StatutDemande, StatutDon, TypeAppareil
from ordinateurs.models import Evenement, Ordinateur
from poitiers_inclusion.enums import Role
from tests.factories import QuartierFactory
from tests.ordinateurs.factories import (
    CeremonieFactory,
    DemandeFactory,
    DonateurFactory,
    DonFactory,
    EffacementFactory,
    OrdinateurFactory,
    TemoignageFactory,
    ready_device,
)
from tests.pdfs import pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordination(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _html(response):
    return response.content.decode()


# --- The attestation ----------------------------------------------------------------------------


@pytest.mark.parametrize("statut", [StatutDon.PROPOSE, StatutDon.COLLECTE_PREVUE])
def test_no_attestation_before_the_collection(statut, coordination):
    don = DonFactory(statut=statut)
    url = reverse("ordinateurs:don_attestation", args=[don.pk])
    response = coordination.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("ordinateurs:don_detail", args=[don.pk])
    page = _html(coordination.get(response["Location"]))
    assert "L&#x27;attestation s&#x27;établit après la collecte" in page
    assert url not in page  # no link to a document that cannot be issued


def test_no_attestation_for_a_cancelled_donation(coordination):
    don = DonFactory(statut=StatutDon.ANNULE, collected_on=datetime.date(2022, 3, 1), nb_recus=2)
    response = coordination.get(reverse("ordinateurs:don_attestation", args=[don.pk]), follow=True)
    assert "Ce don est annulé : il n&#x27;y a pas d&#x27;attestation à établir." in _html(response)


def test_the_attestation_gives_what_the_finance_department_needs(
    coordination, users, settings, django_capture_on_commit_callbacks
):
    settings.CITY_NAME = "Poitiers"
    don = DonFactory(
        donateur__nom="Assurances du Centre",
        donateur__siret="73282932000074",
        donateur__adresse="12 rue de la Paix",
        donateur__code_postal="86000",
        donateur__commune="Poitiers",
        nb_annonce=25,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.record_collection(
            don=don,
            day=datetime.date(2022, 3, 1),
            nb_recus=23,
            poids_kg=61.5,
            actor=users[Role.COORDINATEUR],
        )
    OrdinateurFactory(don=don)
    OrdinateurFactory(don=don)
    OrdinateurFactory(don=don, type=TypeAppareil.ECRAN, stockages=[])
    url = reverse("ordinateurs:don_attestation", args=[don.pk])

    html = _html(coordination.get(url))
    assert "<title>Attestation du don n° " in html
    for expected in (
        "Ville de Poitiers",
        "2041-MEC-SD",
        "Assurances du Centre",
        "73282932000074",
        "12 rue de la Paix, 86000 Poitiers",
        "1 mars 2022",
        "Don en nature : matériel informatique",
        "23 appareils",
        "61,5 kg",
        "2 × ordinateur portable ; 1 × écran",
        "à déterminer par le service financier",
        "en attente : le donateur n'a pas encore confirmé",
        'type="button" data-print>Imprimer',
        'class="no-print"',
    ):
        assert expected in html, expected

    don.refresh_from_db()
    services.confirm_by_donor(don=don)
    html = _html(coordination.get(url))
    day = timezone.localtime(don.__class__.objects.get(pk=don.pk).confirmed_at)
    assert f"quantités confirmées par le donateur le {day.day} " in html
    # The announced count is not what was given (the donation's own number may hold a 25).
    article = html.split("<article")[1].replace(f"don n° {don.pk}", "don n° …")
    assert "25" not in article


# --- The yearly impact report -------------------------------------------------------------------


def _erase_and_recondition(ordinateur, technicien):
    services.move(ordinateur=ordinateur, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    for stockage in ordinateur.stockages.all():
        EffacementFactory(stockage=stockage, operateur=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.EFFACE, actor=technicien)
    services.move(ordinateur=ordinateur, vers=Etat.RECONDITIONNE, actor=technicien)


@pytest.fixture
def donation_of_three(users):
    """A donation of 3 devices this year: 2 reconditioned, 1 of them handed over to a
    household of a QPV at a ceremony the donor attended; 1 recycled."""
    technicien, coordinator = users[Role.TECHNICIEN], users[Role.COORDINATEUR]
    donor = DonateurFactory(nom="Assurances du Centre")
    don = DonFactory(donateur=donor, statut=StatutDon.CONFIRME, nb_recus=3, poids_kg=12)
    given = ready_device(technicien, don=don)
    kept = OrdinateurFactory(don=don)
    _erase_and_recondition(kept, technicien)
    broken = OrdinateurFactory(don=don)
    services.move(ordinateur=broken, vers=Etat.DIAGNOSTIQUE, actor=technicien)
    services.move(ordinateur=broken, vers=Etat.NON_REEMPLOYABLE, actor=technicien)
    services.move(ordinateur=broken, vers=Etat.RECYCLE, actor=technicien)

    couronneries = QuartierFactory(nom="Les Couronneries", qpv=True)
    demande = DemandeFactory(
        statut=StatutDemande.LISTE_ATTENTE,
        waitlisted_at=timezone.now(),
        foyer__quartier=couronneries,
        foyer__reference_interne="DOSSIER-CCAS-77",
    )
    ceremonie = CeremonieFactory(titre="Remise de printemps", date=timezone.now())
    ceremonie.donateurs.add(donor)
    attribution = services.propose(demande=demande, ordinateur=given, actor=coordinator)
    services.hand_over(attribution=attribution, actor=coordinator, ceremonie=ceremonie)
    TemoignageFactory(ceremonie=ceremonie, texte="Ma fille fait ses devoirs à la maison.")

    # What must not count: another donor's device handed over, a ceremony without this donor.
    other = ready_device(technicien)
    elsewhere = DemandeFactory(statut=StatutDemande.LISTE_ATTENTE, waitlisted_at=timezone.now())
    services.hand_over(
        attribution=services.propose(demande=elsewhere, ordinateur=other, actor=coordinator),
        actor=coordinator,
    )
    TemoignageFactory(ceremonie=CeremonieFactory(date=timezone.now()), texte="Autre remise.")
    return {"donor": donor, "demande": demande, "year": timezone.localdate().year}


def test_the_impact_report_counts_from_the_events(donation_of_three):
    report = impact_report(donation_of_three["donor"], donation_of_three["year"])
    assert (
        report["recus"],
        report["reconditionnes"],
        report["remis"],
        report["non_reemployables"],
        report["recycles"],
        report["foyers_equipes"],
    ) == (3, 2, 1, 1, 1, 1)
    assert report["quartiers"] == [{"nom": "Les Couronneries", "qpv": True, "foyers": 1}]
    assert [t.texte for t in report["temoignages"]] == ["Ma fille fait ses devoirs à la maison."]


def test_the_impact_report_of_another_year_counts_that_year_only(donation_of_three):
    donor = donation_of_three["donor"]
    year = donation_of_three["year"]
    # A device of the same donor received and diagnosed two years earlier.
    old = Ordinateur.objects.create(
        numero="PC-OLD-0001", don=DonFactory(donateur=donor), type=TypeAppareil.PORTABLE
    )
    then = timezone.now().replace(year=year - 2)
    Evenement.objects.create(ordinateur=old, vers=Etat.RECU, at=then)
    Evenement.objects.create(ordinateur=old, de=Etat.RECU, vers=Etat.DIAGNOSTIQUE, at=then)
    earlier = impact_report(donor, year - 2)
    assert (earlier["recus"], earlier["reconditionnes"], earlier["foyers_equipes"]) == (1, 0, 0)
    assert earlier["temoignages"] == [] and earlier["quartiers"] == []
    assert impact_report(donor, year)["recus"] == 3


def test_the_impact_report_page_is_printable_and_has_no_personal_data(
    coordination, donation_of_three
):
    donor, demande = donation_of_three["donor"], donation_of_three["demande"]
    year = donation_of_three["year"]
    url = reverse("ordinateurs:donateur_bilan", args=[donor.pk, year])
    html = _html(coordination.get(url))
    assert f"<title>Bilan {year} du donateur Assurances du Centre" in html
    assert 'id="chiffre-reconditionnes"><strong>2</strong>' in html
    assert 'id="chiffre-remis"><strong>1</strong>' in html
    assert 'id="chiffre-recycles"><strong>1</strong>' in html
    assert 'id="chiffre-foyers"><strong>1</strong>' in html
    assert "Les Couronneries" in html and "quartier prioritaire" in html
    assert "Ma fille fait ses devoirs à la maison." in html and "Autre remise." not in html
    assert 'type="button" data-print>Imprimer' in html
    assert demande.foyer.code not in html and "DOSSIER-CCAS-77" not in html


def test_a_report_year_out_of_range_is_not_found(coordination):
    donor = DonateurFactory()
    assert (
        coordination.get(reverse("ordinateurs:donateur_bilan", args=[donor.pk, 1990])).status_code
        == 404
    )


# --- The same documents as PDF files ------------------------------------------------------------


def test_the_attestation_as_a_pdf_file(coordination, users, django_capture_on_commit_callbacks):
    don = DonFactory(
        donateur__nom="Assurances du Centre",
        donateur__siret="73282932000074",
        donateur__commune="Poitiers",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.record_collection(
            don=don,
            day=datetime.date(2022, 3, 1),
            nb_recus=23,
            poids_kg=61.5,
            actor=users[Role.COORDINATEUR],
        )
    OrdinateurFactory(don=don, type=TypeAppareil.ECRAN, stockages=[])
    url = reverse("ordinateurs:don_attestation", args=[don.pk])
    assert 'href="?format=pdf"' in _html(coordination.get(url))

    response = coordination.get(url, {"format": "pdf"})
    assert f'filename="attestation-don-{don.pk}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    for expected in (
        "Attestation de don en nature",
        f"N° AD-{don.pk} — établi le",
        "2041-MEC-SD",
        "Assurances du Centre",
        "73282932000074",
        "1 mars 2022 (date de la collecte)",
        "23 appareils",
        "61,5 kg",
        "1 × écran",
        "à déterminer par le service financier",
        "page 1/1",
    ):
        assert expected in text, expected
    metadata = pdf_reader(response).metadata
    assert metadata.title == f"Attestation de don en nature — AD-{don.pk}"


def test_the_impact_report_as_a_pdf_file_has_no_personal_data(coordination, donation_of_three):
    donor, demande = donation_of_three["donor"], donation_of_three["demande"]
    year = donation_of_three["year"]
    url = reverse("ordinateurs:donateur_bilan", args=[donor.pk, year])
    text = pdf_text(coordination.get(url, {"format": "pdf"}))
    for expected in (
        f"Bilan {year} de vos dons",
        f"N° BI-{donor.pk}-{year}",
        "Assurances du Centre",
        "Reconditionnés 2",
        "Remis à un foyer 1",
        "1 foyer équipé grâce à vos dons",
        "Les Couronneries (quartier prioritaire)",
        "« Ma fille fait ses devoirs à la maison. »",
    ):
        assert expected in text, expected
    assert demande.foyer.code not in text and "DOSSIER-CCAS-77" not in text
    assert "Autre remise." not in text


def test_a_pdf_is_refused_like_its_page(client_for, users):
    """The PDF is the page in another format: whoever may not see the page gets no file."""
    donor = DonateurFactory()
    url = reverse("ordinateurs:donateur_bilan", args=[donor.pk, timezone.localdate().year])
    response = client_for(users[Role.CONSEILLER]).get(url, {"format": "pdf"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
