"""The team's pages of donations: entering an offer, planning and recording the collection,
cancelling, the lists and their downloads, donors, and who may open what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import StatutDon
from ordinateurs.models import Don, Donateur
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from tests.ordinateurs.factories import DonateurFactory, DonFactory, OrdinateurFactory

pytestmark = pytest.mark.django_db

VALID_SIRET = "73282932000074"


@pytest.fixture
def technicien(users, client_for):
    return client_for(users[Role.TECHNICIEN])


@pytest.fixture
def coordination(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def _html(response):
    return response.content.decode()


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PRESCRIPTEUR, Role.CONSEILLER])
def test_partners_and_conseillers_see_no_donation(role, users, client_for):
    don = DonFactory()
    client = client_for(users[role])
    for url in (
        reverse("ordinateurs:don_list"),
        reverse("ordinateurs:don_create"),
        reverse("ordinateurs:don_detail", args=[don.pk]),
        reverse("ordinateurs:donateur_list"),
        reverse("ordinateurs:donateur_detail", args=[don.donateur.pk]),
        reverse("ordinateurs:don_attestation", args=[don.pk]),
        reverse("ordinateurs:donateur_bilan", args=[don.donateur.pk, 2022]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_technician_follows_donations_but_issues_no_document(technicien):
    don = DonFactory(statut=StatutDon.COLLECTE, collected_on=datetime.date(2022, 3, 1), nb_recus=3)
    detail = technicien.get(reverse("ordinateurs:don_detail", args=[don.pk]))
    assert detail.status_code == 200
    assert "Attestation de don" not in _html(detail)
    assert technicien.get(reverse("ordinateurs:don_list")).status_code == 200
    donor = technicien.get(reverse("ordinateurs:donateur_detail", args=[don.donateur.pk]))
    assert donor.status_code == 200 and "Bilans annuels" not in _html(donor)
    assert technicien.get(reverse("ordinateurs:don_attestation", args=[don.pk])).status_code == 403
    bilan = reverse("ordinateurs:donateur_bilan", args=[don.donateur.pk, 2022])
    assert technicien.get(bilan).status_code == 403


def test_the_coordination_sees_the_document_links(coordination):
    don = DonFactory(
        statut=StatutDon.COLLECTE,
        collected_on=datetime.date(2022, 3, 1),
        offered_on=datetime.date(2022, 2, 1),
    )
    html = _html(coordination.get(reverse("ordinateurs:don_detail", args=[don.pk])))
    assert reverse("ordinateurs:don_attestation", args=[don.pk]) in html
    donor = _html(coordination.get(reverse("ordinateurs:donateur_detail", args=[don.donateur.pk])))
    assert reverse("ordinateurs:donateur_bilan", args=[don.donateur.pk, 2022]) in donor


# --- Entering an offer --------------------------------------------------------------------------


def _new_donor(**overrides):
    data = {
        "donateur": "",
        "nom": "Garage Moderne",
        "siret": VALID_SIRET,
        "contact_nom": "Paul Durand",
        "email": "contact@garage.example",
        "telephone": "",
        "adresse": "",
        "code_postal": "",
        "commune": "Poitiers",
        "nb_annonce": "6",
        "description": "Unités centrales HP",
    }
    data.update(overrides)
    return data


def test_the_team_enters_an_offer_from_a_new_donor(
    technicien, users, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = technicien.post(reverse("ordinateurs:don_create"), _new_donor())
    don = Don.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ordinateurs:don_detail", args=[don.pk])
    assert not don.en_ligne and don.nb_annonce == 6 and don.donateur.siret == VALID_SIRET
    assert mailoutbox[-1].to == ["contact@garage.example"]
    assert AuditEvent.objects.filter(
        action="ordinateurs.don.created", actor=users[Role.TECHNICIEN]
    ).exists()


def test_an_offer_from_a_known_donor_creates_no_duplicate(
    coordination, mailoutbox, django_capture_on_commit_callbacks
):
    without_siret = DonateurFactory(nom="Association Horizon", siret="")
    with_siret = DonateurFactory(nom="Banque Régionale", siret=VALID_SIRET)
    for donor in (without_siret, with_siret):
        with django_capture_on_commit_callbacks(execute=True):
            response = coordination.post(
                reverse("ordinateurs:don_create"),
                _new_donor(donateur=str(donor.pk), nom="", siret="", nb_annonce="3"),
            )
        assert response.status_code == 302
        assert Don.objects.filter(donateur=donor, nb_annonce=3).count() == 1
    assert Donateur.objects.count() == 2
    assert len(mailoutbox) == 2


def test_the_donor_is_preselected_from_its_page(coordination):
    donor = DonateurFactory(nom="Banque Régionale")
    page = coordination.get(reverse("ordinateurs:don_create") + f"?donateur={donor.pk}")
    assert f'<option value="{donor.pk}" selected>' in _html(page)


def test_entering_an_offer_explains_each_error_and_keeps_what_was_typed(coordination):
    DonateurFactory(nom="Banque Régionale", siret=VALID_SIRET)
    response = coordination.post(
        reverse("ordinateurs:don_create"),
        _new_donor(nom="", nb_annonce="", email="faux", description="Écrans 22 pouces"),
    )
    html = _html(response)
    assert response.status_code == 200 and not Don.objects.exists()
    assert "Choisissez un donateur dans la liste, ou indiquez le nom du nouveau donateur." in html
    assert "Indiquez le nombre d&#x27;appareils." in html
    assert "Cette adresse e-mail n&#x27;est pas valide" in html
    assert "Écrans 22 pouces</textarea>" in html and 'value="Paul Durand"' in html
    # A SIRET already on file points to the known donor rather than creating a second one.
    response = coordination.post(reverse("ordinateurs:don_create"), _new_donor())
    assert "Ce SIRET est celui de « Banque Régionale », déjà enregistré" in _html(response)
    assert not Don.objects.exists()


# --- Planning, collecting, cancelling -----------------------------------------------------------


def test_the_collection_is_planned_then_recorded_and_the_donor_asked_to_confirm(
    technicien, mailoutbox, django_capture_on_commit_callbacks
):
    don = DonFactory(donateur__nom="Imprimerie Rivaud", nb_annonce=10)
    detail = reverse("ordinateurs:don_detail", args=[don.pk])
    day = timezone.localdate() + datetime.timedelta(days=3)
    response = technicien.post(
        reverse("ordinateurs:don_plan", args=[don.pk]), {"plan-day": day.isoformat()}
    )
    assert response.status_code == 302 and response["Location"] == detail
    don.refresh_from_db()
    assert don.statut == StatutDon.COLLECTE_PREVUE and don.collection_planned_on == day

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = technicien.post(
            reverse("ordinateurs:don_collect", args=[don.pk]),
            {
                "reception-day": today.isoformat(),
                "reception-nb_recus": "9",
                "reception-poids_kg": "61,5",
            },
        )
    assert response.status_code == 302
    don.refresh_from_db()
    assert (don.statut, don.nb_recus, str(don.poids_kg)) == (StatutDon.COLLECTE, 9, "61.5")
    assert f"/ordinateurs/don/{don.token}/" in mailoutbox[-1].body
    page = _html(technicien.get(detail))
    assert "Collecte enregistrée" in page and "9 appareils reçus" in page
    assert f"/ordinateurs/don/{don.token}/" in page  # the link, to give to the donor
    assert "?don=" in page  # register the devices of this batch


def test_planning_and_collecting_explain_their_errors(technicien):
    don = DonFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = technicien.post(
        reverse("ordinateurs:don_plan", args=[don.pk]), {"plan-day": yesterday.isoformat()}
    )
    assert response.status_code == 200
    assert "Choisissez aujourd&#x27;hui ou une date à venir" in _html(response)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = technicien.post(
        reverse("ordinateurs:don_collect", args=[don.pk]),
        {
            "reception-day": tomorrow.isoformat(),
            "reception-nb_recus": "0",
            "reception-poids_kg": "beaucoup",
        },
    )
    html = _html(response)
    assert "La collecte ne peut pas être datée dans le futur" in html
    assert "Au moins un appareil : si rien n&#x27;a été collecté, annulez le don." in html
    assert "Indiquez le poids en kilos, par exemple 61,5." in html
    assert 'value="beaucoup"' in html
    don.refresh_from_db()
    assert don.statut == StatutDon.PROPOSE and don.nb_recus is None


def test_a_closed_donation_is_not_collected_again(technicien):
    don = DonFactory(statut=StatutDon.ANNULE)
    response = technicien.post(
        reverse("ordinateurs:don_collect", args=[don.pk]),
        {"reception-day": timezone.localdate().isoformat(), "reception-nb_recus": "3"},
    )
    assert response.status_code == 200 and "Ce don est clos." in _html(response)
    response = technicien.post(
        reverse("ordinateurs:don_plan", args=[don.pk]),
        {"plan-day": timezone.localdate().isoformat()},
    )
    assert "Ce don a déjà été collecté ou annulé." in _html(response)


def test_plan_and_collect_only_answer_a_post(technicien):
    don = DonFactory()
    assert technicien.get(reverse("ordinateurs:don_plan", args=[don.pk])).status_code == 405
    assert technicien.get(reverse("ordinateurs:don_collect", args=[don.pk])).status_code == 405


def test_a_donation_is_cancelled_with_a_reason(technicien):
    don = DonFactory()
    url = reverse("ordinateurs:don_cancel", args=[don.pk])
    assert technicien.get(url).status_code == 200
    response = technicien.post(url, {"motif": ""})
    assert "Indiquez le motif de l&#x27;annulation." in _html(response)
    response = technicien.post(url, {"motif": "Matériel vendu entre-temps"})
    assert response.status_code == 302
    don.refresh_from_db()
    assert don.statut == StatutDon.ANNULE and "Matériel vendu entre-temps" in don.notes
    again = technicien.get(url)
    assert again.status_code == 302


def test_a_donation_with_registered_devices_cannot_be_cancelled(technicien):
    device = OrdinateurFactory(don__statut=StatutDon.COLLECTE)
    url = reverse("ordinateurs:don_cancel", args=[device.don.pk])
    assert "Annuler le don" not in _html(
        technicien.get(reverse("ordinateurs:don_detail", args=[device.don.pk]))
    )
    response = technicien.post(url, {"motif": "Erreur"})
    assert response.status_code == 200
    assert "Des appareils de ce don sont enregistrés" in _html(response)
    device.don.refresh_from_db()
    assert device.don.statut == StatutDon.COLLECTE


def test_the_detail_lists_the_devices_of_the_donation(technicien):
    device = OrdinateurFactory(numero="PC-2022-0042", don__statut=StatutDon.COLLECTE)
    OrdinateurFactory(numero="PC-2022-0099")  # another donation's
    html = _html(technicien.get(reverse("ordinateurs:don_detail", args=[device.don.pk])))
    assert "PC-2022-0042" in html and "PC-2022-0099" not in html
    assert "Appareils enregistrés (1" in html


def test_an_unknown_donation_is_not_found(technicien):
    assert technicien.get(reverse("ordinateurs:don_detail", args=[999999])).status_code == 404


# --- Lists, filters, downloads ------------------------------------------------------------------


def test_the_list_filters_by_status_year_and_donor(coordination):
    old = DonFactory(donateur__nom="Ancienne Banque", offered_on=datetime.date(2021, 5, 1))
    collected = DonFactory(
        donateur__nom="Garage Moderne",
        offered_on=datetime.date(2022, 5, 1),
        statut=StatutDon.COLLECTE,
    )
    url = reverse("ordinateurs:don_list")

    def shown(**params):
        return list(coordination.get(url, params).context["page"].object_list)

    assert shown() == [collected, old]
    assert shown(statut=StatutDon.COLLECTE) == [collected]
    assert shown(annee="2021") == [old]
    assert shown(donateur=str(collected.donateur.pk)) == [collected]
    html = _html(coordination.get(url))
    assert '<option value="2022">2022</option>' in html and "Tous les donateurs" in html


def test_the_list_downloads_as_csv_and_excel(coordination):
    DonFactory(donateur__nom="=Garage Moderne", nb_annonce=7, offered_on=datetime.date(2022, 5, 1))
    DonFactory(donateur__nom="Ancienne Banque", offered_on=datetime.date(2021, 5, 1))
    url = reverse("ordinateurs:don_list")
    response = coordination.get(url, {"annee": "2022", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "Donateur" in text and "'=Garage Moderne" in text and "Ancienne Banque" not in text
    assert "Année;2022" in text
    response = coordination.get(url, {"statut": "propose", "format": "csv"})
    assert "Statut;Proposé" in b"".join(response.streaming_content).decode()
    response = coordination.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_make_as_many_queries_for_3_or_12_rows(
    coordination, django_assert_max_num_queries
):
    for _ in range(3):
        donor = DonateurFactory()
        OrdinateurFactory(don__donateur=donor)
    few_dons = _count_queries(coordination, reverse("ordinateurs:don_list"))
    few_donors = _count_queries(coordination, reverse("ordinateurs:donateur_list"))
    for _ in range(9):
        donor = DonateurFactory()
        OrdinateurFactory(don__donateur=donor)
        DonFactory(donateur=donor)
    with django_assert_max_num_queries(few_dons):
        coordination.get(reverse("ordinateurs:don_list"))
    with django_assert_max_num_queries(few_donors):
        coordination.get(reverse("ordinateurs:donateur_list"))


# --- Donors -------------------------------------------------------------------------------------


def test_the_donor_list_counts_and_searches(coordination):
    donor = DonateurFactory(nom="Garage Moderne", commune="Poitiers", siret=VALID_SIRET)
    DonFactory(donateur=donor, nb_recus=4)
    DonFactory(donateur=donor, nb_recus=5)
    DonFactory(donateur=donor, statut=StatutDon.ANNULE)
    DonateurFactory(nom="Banque Régionale", commune="Niort")
    url = reverse("ordinateurs:donateur_list")
    page = coordination.get(url)
    row = page.context["page"].object_list[1]
    assert (row.nom, row.nb_dons, row.nb_recus) == ("Garage Moderne", 2, 9)
    html = _html(coordination.get(url, {"q": "garage"}))
    assert "Garage Moderne" in html and "Banque Régionale" not in html
    html = _html(coordination.get(url, {"q": "732 829"}))
    assert "Garage Moderne" in html


def test_the_donor_page_totals_its_donations(coordination):
    donor = DonateurFactory(nom="Garage Moderne")
    DonFactory(donateur=donor, nb_annonce=10, nb_recus=8, poids_kg=20)
    DonFactory(donateur=donor, nb_annonce=5, statut=StatutDon.ANNULE)
    OrdinateurFactory(don__donateur=donor)
    page = coordination.get(reverse("ordinateurs:donateur_detail", args=[donor.pk]))
    totals = page.context["totals"]
    assert (totals["dons"], totals["annonces"], totals["recus"], totals["enregistres"]) == (
        2,
        10 + 10,
        8,
        1,
    )


def test_the_donor_is_edited_with_an_audit_trail(technicien, users):
    donor = DonateurFactory(nom="Garage Moderne", siret="12345678900011")  # on file, unchecked
    url = reverse("ordinateurs:donateur_edit", args=[donor.pk])
    data = {
        "nom": "Garage Moderne SA",
        "siret": "12345678900011",
        "contact_nom": "Paul Durand",
        "email": "paul@garage.example",
        "telephone": "06 12 34 56 78",
        "adresse": "3 rue du Port",
        "code_postal": "86000",
        "commune": "Poitiers",
    }
    response = technicien.post(url, data)
    assert response.status_code == 302
    donor.refresh_from_db()
    assert (donor.nom, donor.telephone) == ("Garage Moderne SA", "+33612345678")
    event = AuditEvent.objects.get(action="ordinateurs.donateur.updated")
    assert event.actor == users[Role.TECHNICIEN] and "nom" in event.changes["fields"]

    DonateurFactory(nom="Banque Régionale", siret=VALID_SIRET)
    response = technicien.post(url, {**data, "siret": VALID_SIRET, "nom": ""})
    html = _html(response)
    assert "Ce SIRET est déjà celui du donateur « Banque Régionale »." in html
    assert "Indiquez le nom de l&#x27;entreprise ou de l&#x27;organisme." in html
    response = technicien.post(url, {**data, "siret": "12345678901234"})
    assert "Ce numéro SIRET n&#x27;est pas valide" in _html(response)


def test_the_pages_without_parameters_follow_the_house_rules(coordination, client):
    """What the kernel's page check asks (French, own title, styled fields), for these pages."""
    import re

    DonFactory()
    titles = set()
    pages = [
        (coordination, "ordinateurs:don_list"),
        (coordination, "ordinateurs:don_create"),
        (coordination, "ordinateurs:donateur_list"),
        (client, "ordinateurs:don_offer"),
        (client, "ordinateurs:don_offer_done"),
    ]
    for viewer, name in pages:
        response = viewer.get(reverse(name))
        assert response.status_code == 200, name
        html = _html(response)
        assert '<html lang="fr"' in html and "---------" not in html, name
        for tag in re.findall(r"<select\b[^>]*>", html):
            assert "form-select" in tag, (name, tag)
        for tag in re.findall(r"<input\b[^>]*>", html):
            kind = re.search(r'type="([a-z]+)"', tag)
            if kind and kind.group(1) in ("hidden", "checkbox", "radio", "submit", "file"):
                continue
            assert "form-control" in tag, (name, tag)
        titles.add(re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip())
    assert len(titles) == len(pages)
