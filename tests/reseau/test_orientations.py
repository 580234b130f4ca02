"""Orientations: consent, who sees and answers, outcome back to the sender, expiry, anonymisation."""

import contextlib
import datetime
import io
import os
import re
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import AuditEvent
from reseau.enums import EtatOrientation, PreferenceContact, Service
from reseau.models import Orientation

from ..factories import StructureFactory
from .factories import OrientationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sides(make_user, client_for):
    ccas, ml, other = StructureFactory(nom="CCAS"), StructureFactory(nom="ML"), StructureFactory()
    sender = make_user(Role.PRESCRIPTEUR, structure=ccas, email="envoi@ccas.test")
    receiver = make_user(Role.PRESCRIPTEUR, structure=ml, email="accueil@ml.test")
    outsider = make_user(Role.PRESCRIPTEUR, structure=other)
    return {
        "ccas": ccas,
        "ml": ml,
        "sender": client_for(sender),
        "sender_user": sender,
        "receiver": client_for(receiver),
        "receiver_user": receiver,
        "outsider": client_for(outsider),
    }


def _form(destination, **extra):
    data = {
        "structure_destination": destination.pk,
        "besoin": Service.INSERTION_PRO,
        "prenom": "Jeanne",
        "nom": "Orientée",
        "telephone": "0600000000",
        "preference_contact": PreferenceContact.TELEPHONE,
        "situation": "Cherche un accompagnement pour son CV en ligne.",
        "consentement": "on",
    }
    data.update(extra)
    return data


def test_it_refuses_to_send_without_the_persons_consent(sides):
    data = _form(sides["ml"])
    del data["consentement"]
    response = sides["sender"].post(reverse("reseau:orientation_create"), data)
    assert response.status_code == 200
    assert "Sans l'accord de la personne" in unescape(response.content.decode())
    assert 'value="Jeanne"' in response.content.decode()
    assert not Orientation.objects.exists()


def test_it_sends_from_the_prescripteurs_own_structure(sides, django_capture_on_commit_callbacks):
    data = _form(sides["ml"], structure_origine=sides["ml"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = sides["sender"].post(reverse("reseau:orientation_create"), data)
    orientation = Orientation.objects.get()
    assert response.status_code == 302
    assert orientation.structure_origine == sides["ccas"]
    assert orientation.consent_at and orientation.etat == EtatOrientation.OUVERTE
    assert [m.to for m in mail.outbox] == [["accueil@ml.test"]]
    assert "Orientée" not in mail.outbox[0].body  # no personal data by e-mail


def test_the_receiving_structure_accepts_and_the_sender_sees_it(
    sides, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sides["sender"].post(reverse("reseau:orientation_create"), _form(sides["ml"]))
    orientation = Orientation.objects.get()
    mail.outbox.clear()
    url = reverse("reseau:orientation_answer", args=[orientation.pk])
    sides["sender"].post(url, {"decision": "valider"})  # the sender cannot answer
    orientation.refresh_from_db()
    assert orientation.is_open

    with django_capture_on_commit_callbacks(execute=True):
        sides["receiver"].post(url, {"decision": "valider"})
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.VALIDEE
    assert orientation.answered_by == sides["receiver_user"]
    assert mail.outbox and "envoi@ccas.test" in mail.outbox[0].to
    page = sides["sender"].get(reverse("reseau:orientation_detail", args=[orientation.pk]))
    assert "Validée" in page.content.decode()


def test_a_refusal_needs_a_reason_that_the_sender_reads(sides):
    orientation = OrientationFactory(
        structure_origine=sides["ccas"], structure_destination=sides["ml"]
    )
    url = reverse("reseau:orientation_answer", args=[orientation.pk])
    response = sides["receiver"].post(url, {"decision": "refuser", "motif": " "})
    assert response.status_code == 400
    assert "Indiquez pourquoi" in response.content.decode()
    sides["receiver"].post(url, {"decision": "refuser", "motif": "Hors de notre champ."})
    page = sides["sender"].get(reverse("reseau:orientation_detail", args=[orientation.pk]))
    assert "Refusée" in page.content.decode() and "Hors de notre champ." in page.content.decode()


def test_a_prescripteur_sees_only_their_structures_orientations(sides, make_user):
    sent = OrientationFactory(structure_origine=sides["ccas"])
    received = OrientationFactory(structure_destination=sides["ccas"])
    elsewhere = OrientationFactory()
    user = sides["sender_user"]
    assert set(Orientation.objects.visible_for(user)) == {sent, received}
    assert (
        sides["outsider"].get(reverse("reseau:orientation_detail", args=[sent.pk])).status_code
        == 404
    )
    conseiller = make_user(Role.CONSEILLER)
    own = OrientationFactory(created_by=conseiller)
    assert list(Orientation.objects.visible_for(conseiller)) == [own]
    assert set(Orientation.objects.visible_for(make_user(Role.COORDINATEUR))) == {
        sent,
        received,
        elsewhere,
        own,
    }
    assert not Orientation.objects.visible_for(make_user(Role.TECHNICIEN)).exists()


def test_the_coordinator_answers_any_open_orientation(sides, make_user, client_for):
    orientation = OrientationFactory()
    client = client_for(make_user(Role.COORDINATEUR))
    client.post(
        reverse("reseau:orientation_answer", args=[orientation.pk]), {"decision": "valider"}
    )
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.VALIDEE


def test_viewing_an_orientation_is_logged(sides):
    orientation = OrientationFactory(structure_destination=sides["ml"])
    sides["receiver"].get(reverse("reseau:orientation_detail", args=[orientation.pk]))
    assert AuditEvent.objects.filter(
        action="reseau.orientation.viewed", actor=sides["receiver_user"]
    ).exists()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.exe", b"MZ\x90\x00", "Ce type de fichier n'est pas accepté"),
        ("faux.pdf", b"GIF89a", "ne correspond pas à un fichier PDF"),
        ("gros.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), "Le fichier dépasse 5 Mo"),
    ],
)
def test_it_checks_the_attachment(sides, name, content, message):
    data = _form(sides["ml"], piece_jointe=SimpleUploadedFile(name, content))
    response = sides["sender"].post(reverse("reseau:orientation_create"), data)
    assert message in unescape(response.content.decode())
    assert not Orientation.objects.exists()


def test_it_keeps_a_valid_attachment_for_both_sides_only(sides):
    scan = SimpleUploadedFile("justificatif.png", b"\x89PNG\r\n\x1a\n...")
    sides["sender"].post(
        reverse("reseau:orientation_create"), _form(sides["ml"], piece_jointe=scan)
    )
    orientation = Orientation.objects.get()
    url = reverse("reseau:orientation_piece_jointe", args=[orientation.pk])
    assert sides["receiver"].get(url).status_code == 200
    assert sides["outsider"].get(url).status_code == 404


def _run_job(capture_on_commit=None):
    """The daily job; with capture_on_commit, its e-mails go out as after a real commit."""
    out = io.StringIO()
    with capture_on_commit(execute=True) if capture_on_commit else contextlib.nullcontext():
        call_command("orientations_reminders", stdout=out)
    return out.getvalue()


def test_the_daily_job_reminds_then_expires(sides, settings, django_capture_on_commit_callbacks):
    settings.ORIENTATION_EXPIRY_DAYS = 30
    now = timezone.now()
    fresh = OrientationFactory(structure_destination=sides["ml"], created_at=now)
    soon = OrientationFactory(
        structure_destination=sides["ml"], created_at=now - datetime.timedelta(days=24)
    )
    overdue = OrientationFactory(
        structure_origine=sides["ccas"],
        structure_destination=sides["ml"],
        created_at=now - datetime.timedelta(days=31),
    )
    answered = OrientationFactory(
        created_at=now - datetime.timedelta(days=40),
        etat=EtatOrientation.VALIDEE,
        closed_at=now - datetime.timedelta(days=38),
    )

    output = _run_job(django_capture_on_commit_callbacks)
    assert "1 relancée(s), 1 expirée(s)" in output
    for o in (fresh, soon, overdue, answered):
        o.refresh_from_db()
    assert fresh.is_open and fresh.reminded_at is None
    assert soon.is_open and soon.reminded_at
    assert overdue.etat == EtatOrientation.EXPIREE
    assert answered.etat == EtatOrientation.VALIDEE
    recipients = [m.to for m in mail.outbox]
    assert ["accueil@ml.test"] in recipients  # reminder to the receiving side
    assert ["envoi@ccas.test"] in recipients  # the sender hears of the expiry

    mail.outbox.clear()
    assert "0 relancée(s), 0 expirée(s)" in _run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_expiry_delay_is_a_setting(sides, settings):
    settings.ORIENTATION_EXPIRY_DAYS = 10
    orientation = OrientationFactory(created_at=timezone.now() - datetime.timedelta(days=11))
    _run_job()
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.EXPIREE


def test_it_anonymises_personal_fields_after_the_retention_delay(sides, settings):
    settings.ORIENTATION_RETENTION_MONTHS = 12
    old = OrientationFactory(
        created_at=timezone.now() - datetime.timedelta(days=400),
        piece_jointe=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        courriel="jeanne@exemple.test",
        etat=EtatOrientation.VALIDEE,
        closed_at=timezone.now() - datetime.timedelta(days=380),
    )
    recent = OrientationFactory()
    path = old.piece_jointe.path

    assert "1 anonymisée(s)" in _run_job()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymised_at and old.personne == "Personne anonymisée"
    assert (old.prenom, old.nom, old.telephone, old.courriel, old.situation) == ("",) * 5
    assert not old.piece_jointe
    assert not os.path.exists(path)
    assert old.besoin == Service.DEMARCHES and old.etat == EtatOrientation.VALIDEE
    assert recent.prenom == "Jeanne"


# Fields that describe the referral, not the person: kept after anonymisation. The answer
# link's key is random and opens nothing once the orientation is closed (as it is before any
# anonymisation).
NOT_PERSONAL = {"besoin", "preference_contact", "etat", "answer_token"}


def test_every_personal_looking_field_is_anonymised():
    text_fields = {
        f.name
        for f in Orientation._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.FileField)
    }
    assert text_fields - NOT_PERSONAL <= set(Orientation.PERSONAL_FIELDS)


def test_the_prescripteur_home_lists_what_to_answer_and_what_was_sent(sides):
    to_answer = OrientationFactory(structure_destination=sides["ccas"])
    sent = OrientationFactory(structure_origine=sides["ccas"])
    page = sides["sender"].get(reverse("reseau:home_prescripteur"))
    assert list(page.context["a_traiter"]) == [to_answer]
    assert list(page.context["envoyees"]) == [sent]
    assert reverse("reseau:ma_structure") in page.content.decode()


# --- Answering without an account: the link e-mailed to the receiving structure's address ---


def _answer_path(message) -> str:
    match = re.search(r"http://\S+(/reseau/orientations/reponse/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def without_account(sides):
    """A receiving structure with an address but no prescripteur account."""
    return StructureFactory(nom="Association sans compte", courriel="accueil@asso.test")


def test_it_mails_an_answer_link_to_a_structure_without_an_account(
    sides, without_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sides["sender"].post(reverse("reseau:orientation_create"), _form(without_account))
    orientation = Orientation.objects.get()
    (message,) = mail.outbox
    assert message.to == ["accueil@asso.test"]
    assert _answer_path(message) == reverse(
        "reseau:orientation_reponse", args=[orientation.answer_token]
    )
    assert "Orientée" not in message.body  # still no personal data by e-mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sides["sender"].post(reverse("reseau:orientation_create"), _form(sides["ml"]))
    (message,) = mail.outbox
    assert "/reseau/orientations/reponse/" not in message.body  # accounts log in
    assert reverse("reseau:orientation_detail", args=[Orientation.objects.first().pk]) in (
        message.body
    )


def test_the_answer_link_shows_what_the_receiver_needs_only(sides, without_account, client):
    orientation = OrientationFactory(
        structure_origine=sides["ccas"],
        structure_destination=without_account,
        preference_contact=PreferenceContact.TELEPHONE,
        telephone="0611223344",
        courriel="jeanne@exemple.test",
        piece_jointe=SimpleUploadedFile("avis.pdf", b"%PDF-1.4"),
    )
    response = client.get(reverse("reseau:orientation_reponse", args=[orientation.answer_token]))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert orientation.get_besoin_display() in html and orientation.situation in html
    assert "Par téléphone" in html and "06 11 22 33 44" in html
    assert "jeanne@exemple.test" not in html  # not the way the person asked to be contacted
    assert reverse("reseau:orientation_piece_jointe", args=[orientation.pk]) not in html
    assert 'name="robots" content="noindex' in html
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action="reseau.orientation.viewed", actor=None, target_id=str(orientation.pk)
    ).exists()

    through_sender = OrientationFactory(
        structure_origine=sides["ccas"],
        structure_destination=without_account,
        preference_contact=PreferenceContact.VIA_ORIENTEUR,
        telephone="0699887766",
        courriel="paul@exemple.test",
    )
    html = client.get(
        reverse("reseau:orientation_reponse", args=[through_sender.answer_token])
    ).content.decode()
    assert "0699887766" not in html and "paul@exemple.test" not in html


def test_it_validates_from_the_link_which_then_stops_working(
    sides, without_account, client, django_capture_on_commit_callbacks
):
    orientation = OrientationFactory(
        structure_origine=sides["ccas"], structure_destination=without_account
    )
    url = reverse("reseau:orientation_reponse", args=[orientation.answer_token])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "valider"})
    assert response.status_code == 200 and "votre réponse est enregistrée" in (
        response.content.decode()
    )
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.VALIDEE and orientation.answered_by is None
    answered = AuditEvent.objects.get(action="reseau.orientation.answered")
    assert answered.actor is None
    assert answered.changes == {"etat": "validee", "canal": "lien"}
    assert any("envoi@ccas.test" in m.to for m in mail.outbox)  # the sender hears of it
    page = sides["sender"].get(reverse("reseau:orientation_detail", args=[orientation.pk]))
    assert "Validée" in page.content.decode()

    again = client.post(url, {"decision": "refuser", "motif": "Finalement non."})
    assert again.status_code == 410
    assert client.get(url).status_code == 410
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.VALIDEE


def test_a_refusal_from_the_link_needs_a_reason(sides, without_account, client):
    orientation = OrientationFactory(
        structure_origine=sides["ccas"], structure_destination=without_account
    )
    url = reverse("reseau:orientation_reponse", args=[orientation.answer_token])
    response = client.post(url, {"decision": "refuser", "motif": "  "})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert 'role="alert"' in html and "Indiquez pourquoi vous refusez" in html
    orientation.refresh_from_db()
    assert orientation.is_open
    client.post(url, {"decision": "refuser", "motif": "Nous n'avons plus de place."})
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.REFUSEE
    assert orientation.motif_refus == "Nous n'avons plus de place."


def test_the_answer_link_stops_at_expiry_even_before_the_daily_job(
    sides, without_account, client, settings
):
    settings.ORIENTATION_EXPIRY_DAYS = 30
    orientation = OrientationFactory(
        structure_destination=without_account,
        created_at=timezone.now() - datetime.timedelta(days=31),
    )
    url = reverse("reseau:orientation_reponse", args=[orientation.answer_token])
    response = client.get(url)
    assert response.status_code == 410 and "a expiré" in unescape(response.content.decode())
    assert orientation.personne not in response.content.decode()
    assert client.post(url, {"decision": "valider"}).status_code == 410
    orientation.refresh_from_db()
    assert orientation.etat == EtatOrientation.OUVERTE  # left for the daily job to record


def test_an_unknown_answer_link_is_not_found(client):
    assert client.get(reverse("reseau:orientation_reponse", args=["faux-jeton"])).status_code == 404


def test_each_orientation_has_its_own_unguessable_answer_link():
    first, second = OrientationFactory(), OrientationFactory()
    assert first.answer_token != second.answer_token
    assert len(first.answer_token) >= 32


def test_the_answer_link_page_is_declared_public():
    from django.urls import resolve

    view = resolve(reverse("reseau:orientation_reponse", args=["x"])).func
    assert view.access == "public"


def test_the_reminder_to_a_structure_without_an_account_carries_the_link(
    sides, without_account, settings, django_capture_on_commit_callbacks
):
    settings.ORIENTATION_EXPIRY_DAYS = 30
    orientation = OrientationFactory(
        structure_destination=without_account,
        created_at=timezone.now() - datetime.timedelta(days=24),
    )
    _run_job(django_capture_on_commit_callbacks)
    (reminder,) = [m for m in mail.outbox if m.to == ["accueil@asso.test"]]
    assert _answer_path(reminder) == reverse(
        "reseau:orientation_reponse", args=[orientation.answer_token]
    )


# --- Expiry is a matter of date, not of when the daily job last ran ---------------------------


@pytest.fixture
def overdue(sides, settings):
    settings.ORIENTATION_EXPIRY_DAYS = 30
    return OrientationFactory(
        structure_origine=sides["ccas"],
        structure_destination=sides["ml"],
        created_at=timezone.now() - datetime.timedelta(days=30, minutes=1),
    )


def test_an_overdue_orientation_cannot_be_answered_before_the_daily_job(sides, overdue):
    assert not Orientation.objects.answerable_by(sides["receiver_user"]).exists()
    response = sides["receiver"].post(
        reverse("reseau:orientation_answer", args=[overdue.pk]),
        {"decision": "valider"},
        follow=True,
    )
    assert "cette orientation a expiré" in unescape(response.content.decode())
    overdue.refresh_from_db()
    assert overdue.etat == EtatOrientation.OUVERTE and overdue.closed_at is None
    with pytest.raises(ValueError):
        overdue.accept(by=None)
    home = sides["receiver"].get(reverse("reseau:home_prescripteur"))
    assert list(home.context["a_traiter"]) == []


def test_an_overdue_orientation_is_shown_listed_and_counted_as_expired(sides, overdue):
    from poitiers_inclusion import figures

    page = sides["receiver"].get(reverse("reseau:orientation_detail", args=[overdue.pk]))
    html = page.content.decode()
    assert "— Expirée" in html and not page.context["can_answer"]
    assert "Envoyer la réponse" not in html
    listing = reverse("reseau:orientation_list")
    expired = sides["sender"].get(listing, {"etat": "expiree"})
    assert [o.pk for o in expired.context["page"]] == [overdue.pk]
    assert list(sides["sender"].get(listing, {"etat": "ouverte"}).context["page"]) == []
    counts = figures.api_blocks()["reseau"](figures.Scope())["orientations"]
    assert counts[EtatOrientation.EXPIREE] == 1 and counts[EtatOrientation.OUVERTE] == 0
