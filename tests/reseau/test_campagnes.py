"""Update campaigns: links by e-mail, confirm or correct, reminders, and the per-structure states."""

import contextlib
import datetime
import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reseau import standard
from reseau.enums import EtatVerification, Service
from reseau.models import Campagne, Lieu, Verification

from ..factories import ContactFactory, LieuFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client_for, make_user):
    return client_for(make_user(Role.COORDINATEUR))


@pytest.fixture
def structures():
    with_referent = StructureFactory(nom="Avec référent", courriel="accueil@a.test")
    ContactFactory(structure=with_referent, courriel="autre@a.test")
    ContactFactory(structure=with_referent, courriel="referente@a.test", referent_numerique=True)
    generic = StructureFactory(nom="Adresse générique", courriel="contact@b.test")
    silent = StructureFactory(nom="Sans adresse", courriel="")
    StructureFactory(nom="Archivée", archived_at="2024-01-01T00:00Z")
    return with_referent, generic, silent


def _open(coordinator, capture_on_commit=None):
    """Open a campaign; with capture_on_commit, its e-mails go out as after a real commit."""
    with capture_on_commit(execute=True) if capture_on_commit else contextlib.nullcontext():
        response = coordinator.post(
            reverse("reseau:campagne_list"),
            {"titre": "Printemps", "message": "Vérifiez vos horaires."},
        )
    assert response.status_code == 302
    return Campagne.objects.get()


def _link(message) -> str:
    return re.search(r"http://\S+/reseau/mise-a-jour/\S+/", message.body).group(0)


def _as_posted(page) -> dict:
    """What the browser would send back untouched: the structure's form, each lieu's form and
    the lieux' management form, from the page's context."""
    data = {"action": "corriger"}
    formset = page.context["lieux_formset"]
    for form in [page.context["form"], formset.management_form, *formset]:
        for field in form:
            value = field.value()
            if value is None or value is False or value == "":
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list) and field.name in ("courriels", "site_web"):
                value = ",".join(value)
            data[field.html_name] = value
    return data


LONG_AGO = datetime.date(2023, 1, 15)


def test_it_mails_each_structure_contact_a_personal_link(
    coordinator, structures, django_capture_on_commit_callbacks
):
    campagne = _open(coordinator, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@b.test", "referente@a.test"]
    assert "Vérifiez vos horaires." in mail.outbox[0].body
    assert campagne.verifications.count() == 3  # the archived structure is left out
    assert len({v.token for v in campagne.verifications.all()}) == 3
    silent = campagne.verifications.get(structure__nom="Sans adresse")
    assert silent.sent_at is None and silent.state == EtatVerification.A_FAIRE


def test_it_records_a_confirmation_without_changes(
    coordinator, structures, client, django_capture_on_commit_callbacks
):
    _open(coordinator, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["contact@b.test"])
    path = urlparse(_link(message)).path
    assert client.get(path).status_code == 200
    client.post(path, {"action": "confirmer"})
    verification = Verification.objects.get(structure__nom="Adresse générique")
    assert verification.state == EtatVerification.CONFIRMEE and verification.answered_at


def test_it_saves_corrections_and_lists_the_changed_fields(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.get(structure=structures[0])
    url = reverse("reseau:verification", args=[verification.token])
    data = _as_posted(client.get(url))
    data.update(horaires="Mo-Fr 09:00-12:00", telephone="+33549000001")
    response = client.post(url, data)
    assert response.status_code == 200 and "Merci" in response.content.decode()
    verification.refresh_from_db()
    structures[0].refresh_from_db()
    assert verification.state == EtatVerification.MISE_A_JOUR
    assert set(verification.changed_fields) == {"horaires", "telephone"}
    assert structures[0].horaires == "Mo-Fr 09:00-12:00"
    assert AuditEvent.objects.filter(action="reseau.structure.updated", actor=None).exists()


def test_it_keeps_what_was_typed_when_a_correction_is_invalid(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.get(structure=structures[1])
    url = reverse("reseau:verification", args=[verification.token])
    response = client.post(
        url, {"action": "corriger", "nom": "Adresse générique", "code_postal": "860"}
    )
    assert response.status_code == 200
    assert "code postal compte 5 chiffres" in response.content.decode()
    assert 'value="860"' in response.content.decode()
    verification.refresh_from_db()
    assert verification.state == EtatVerification.A_FAIRE


def test_it_reminds_only_the_structures_without_an_answer(
    coordinator, structures, client, django_capture_on_commit_callbacks
):
    campagne = _open(coordinator, django_capture_on_commit_callbacks)
    answered = campagne.verifications.get(structure=structures[1])
    client.post(reverse("reseau:verification", args=[answered.token]), {"action": "confirmer"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("reseau:campagne_remind", args=[campagne.pk]))
    assert [m.to for m in mail.outbox] == [["referente@a.test"]]
    assert mail.outbox[0].subject.startswith("[Poitiers] Relance")
    states = {v.structure.nom: v.state for v in campagne.verifications.all()}
    assert states == {
        "Avec référent": EtatVerification.RELANCEE,
        "Adresse générique": EtatVerification.CONFIRMEE,
        "Sans adresse": EtatVerification.A_FAIRE,
    }
    page = coordinator.get(reverse("reseau:campagne_detail", args=[campagne.pk]))
    assert page.context["counts"] == {
        "a_faire": 1,
        "relancee": 1,
        "confirmee": 1,
        "mise_a_jour": 0,
    }
    filtered = coordinator.get(
        reverse("reseau:campagne_detail", args=[campagne.pk]), {"etat": "relancee"}
    )
    assert [v.structure.nom for v in filtered.context["verifications"]] == ["Avec référent"]


def test_it_closes_the_links_with_the_campaign(coordinator, structures, client):
    campagne = _open(coordinator)
    verification = campagne.verifications.first()
    coordinator.post(reverse("reseau:campagne_close", args=[campagne.pk]))
    response = client.get(reverse("reseau:verification", args=[verification.token]))
    assert response.status_code == 410
    assert client.get(reverse("reseau:verification", args=["faux-jeton"])).status_code == 404


@pytest.fixture
def structure_with_lieux():
    structure = StructureFactory(nom="Centre social des Essais", courriel="cs@essais.test")
    main = LieuFactory(
        structure=structure,
        nom="Antenne principale",
        horaires="Mo 09:00-12:00",
        services=[Service.DEMARCHES.value],
        date_maj=LONG_AGO,
    )
    annex = LieuFactory(structure=structure, nom="Annexe", date_maj=LONG_AGO)
    archived = LieuFactory(
        structure=structure, nom="Ancien local", archived=True, date_maj=LONG_AGO
    )
    elsewhere = LieuFactory(nom="Lieu d'une autre structure", date_maj=LONG_AGO)
    return structure, main, annex, archived, elsewhere


def _verification_url(coordinator, structure):
    campagne = _open(coordinator)
    verification = campagne.verifications.get(structure=structure)
    return verification, reverse("reseau:verification", args=[verification.token])


def test_it_lets_the_contact_correct_their_lieux_hours_and_services(
    coordinator, structure_with_lieux, client
):
    structure, main, annex, archived, elsewhere = structure_with_lieux
    verification, url = _verification_url(coordinator, structure)
    page = client.get(url)
    html = page.content.decode()
    assert "Lieu « Antenne principale »" in html and "Lieu « Annexe »" in html
    assert "Ancien local" not in html  # archived lieux are not asked about
    data = _as_posted(page)
    prefix = next(f.prefix for f in page.context["lieux_formset"] if f.instance == main)
    data[f"{prefix}-horaires"] = "Mo-Fr 09:00-12:00,14:00-17:00"
    data[f"{prefix}-services"] = [Service.DEMARCHES.value, Service.SECURITE.value]
    data[f"{prefix}-telephone"] = "+33549000002"
    data[f"{prefix}-accessibilite"] = "Accès de plain-pied"
    response = client.post(url, data)
    assert "Merci" in response.content.decode()

    for lieu in (main, annex, archived, elsewhere):
        lieu.refresh_from_db()
    assert main.horaires == "Mo-Fr 09:00-12:00,14:00-17:00"
    assert main.services == [Service.DEMARCHES.value, Service.SECURITE.value]
    assert (main.telephone, main.accessibilite) == ("+33549000002", "Accès de plain-pied")
    today = timezone.localdate()
    assert main.date_maj == today and annex.date_maj == today  # all of its lieux are checked
    assert archived.date_maj == LONG_AGO and elsewhere.date_maj == LONG_AGO
    verification.refresh_from_db()
    assert verification.state == EtatVerification.MISE_A_JOUR
    assert "Antenne principale : horaires" in verification.changed_fields
    assert AuditEvent.objects.filter(
        action="reseau.lieu.updated", target_id=str(main.pk), actor=None
    ).exists()
    exported = standard.csv_text()
    assert "Mo-Fr 09:00-12:00,14:00-17:00" in exported and today.isoformat() in exported


def test_a_confirmation_dates_the_structures_lieux_today(coordinator, structure_with_lieux, client):
    structure, main, annex, archived, elsewhere = structure_with_lieux
    verification, url = _verification_url(coordinator, structure)
    client.post(url, {"action": "confirmer"})
    for lieu in (main, annex, archived, elsewhere):
        lieu.refresh_from_db()
    today = timezone.localdate()
    assert (main.date_maj, annex.date_maj) == (today, today)
    assert (archived.date_maj, elsewhere.date_maj) == (LONG_AGO, LONG_AGO)
    verification.refresh_from_db()
    assert verification.state == EtatVerification.CONFIRMEE


def test_an_unchanged_correction_form_counts_as_a_confirmation(
    coordinator, structure_with_lieux, client
):
    structure, main, *_ = structure_with_lieux
    verification, url = _verification_url(coordinator, structure)
    client.post(url, _as_posted(client.get(url)))
    verification.refresh_from_db()
    main.refresh_from_db()
    assert verification.state == EtatVerification.CONFIRMEE
    assert main.date_maj == timezone.localdate()


def test_it_explains_a_bad_lieu_value_next_to_the_field_and_keeps_it(
    coordinator, structure_with_lieux, client
):
    structure, main, *_ = structure_with_lieux
    verification, url = _verification_url(coordinator, structure)
    page = client.get(url)
    data = _as_posted(page)
    prefix = next(f.prefix for f in page.context["lieux_formset"] if f.instance == main)
    data[f"{prefix}-telephone"] = "05 49 00 00"
    data[f"{prefix}-horaires"] = "Tu 14:00-18:00"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert f'id="id_{prefix}-telephone"' in html and "Numéro de téléphone invalide" in html
    assert 'value="05 49 00 00"' in html and 'value="Tu 14:00-18:00"' in html
    main.refresh_from_db()
    verification.refresh_from_db()
    assert main.horaires == "Mo 09:00-12:00" and main.date_maj == LONG_AGO
    assert verification.state == EtatVerification.A_FAIRE


def test_the_link_never_touches_another_structures_lieu_nor_creates_one(
    coordinator, structure_with_lieux, client
):
    structure, main, annex, archived, elsewhere = structure_with_lieux
    verification, url = _verification_url(coordinator, structure)
    page = client.get(url)
    data = _as_posted(page)
    prefix = next(f.prefix for f in page.context["lieux_formset"] if f.instance == main)
    data[f"{prefix}-id"] = elsewhere.pk
    data[f"{prefix}-horaires"] = "Su 10:00-11:00"
    extra = "lieux-2"
    data.update(
        {
            "lieux-TOTAL_FORMS": 3,
            f"{extra}-horaires": "Sa 10:00-12:00",
            f"{extra}-telephone": "+33549000003",
        }
    )
    count = Lieu.objects.count()
    client.post(url, data)
    elsewhere.refresh_from_db()
    assert elsewhere.horaires != "Su 10:00-11:00"
    assert Lieu.objects.count() == count
