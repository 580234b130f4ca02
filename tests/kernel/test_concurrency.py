"""Two people editing the same record: the second save from the same loaded version is refused,
nothing is overwritten, both versions are shown and what the second person typed stays in the
form (poitiers_inclusion/concurrency.py). Each save moves the record's version on."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ordinateurs.enums import StatutDemande
from ordinateurs.models import Demande, Ordinateur
from poitiers_inclusion.audit import audited_form_save
from poitiers_inclusion.concurrency import RecordChanged
from poitiers_inclusion.enums import Role
from reseau.forms import LieuForm
from reseau.models import Lieu, Structure
from tests.ateliers.factories import SeanceFactory
from tests.factories import LieuFactory, StructureFactory
from tests.kernel.test_double_submission import _own_forms
from tests.ordinateurs.factories import DemandeFactory, OrdinateurFactory
from tests.permanences.factories import PermanenceFactory

pytestmark = pytest.mark.django_db


def _as_sent(client, url) -> dict:
    """What a browser sends for the page's form, untouched."""
    return _sent(client.get(url), url)


def _sent(response, url) -> dict:
    html = response.content.decode()
    (form,) = [
        f for f in _own_forms(html, url) if any(n == "version" for _, n, _, _ in f["fields"])
    ]
    data: dict[str, list[str]] = {}
    for kind, name, value, state in form["fields"]:
        if kind in ("checkbox", "radio"):
            if state:
                data.setdefault(name, []).append(value)
        elif kind in ("select", "select-multiple"):
            data[name] = state or ([] if kind == "select-multiple" else value[:1])
        else:
            data[name] = [value.strip() if kind == "textarea" else value]
    return data


def _people(make_user, client_for, role=Role.COORDINATEUR):
    first = make_user(role, first_name="Jeanne", last_name="Martin")
    second = make_user(role, first_name="Karim", last_name="Benali")
    return client_for(first), client_for(second)


def _future(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# url name, record factory, field, what the first person saves, what the second one types.
CASES = {
    "lieu": ("reseau:lieu_edit", LieuFactory, "nom", "Médiathèque du Clos", "Maison du Clos"),
    "structure": (
        "reseau:structure_edit",
        StructureFactory,
        "nom",
        "Centre social du Clos",
        "Centre social des Couronneries",
    ),
    "permanence": (
        "permanences:permanence_edit",
        PermanenceFactory,
        "valid_until",
        _future(60),
        _future(90),
    ),
    "seance": (
        "ateliers:seance_edit",
        lambda: SeanceFactory(date=timezone.localdate() + datetime.timedelta(days=3)),
        "notes",
        "Salle du premier étage",
        "Salle informatique",
    ),
    "ordinateur": ("ordinateurs:ordinateur_edit", OrdinateurFactory, "marque", "Dell", "Lenovo"),
}


@pytest.mark.parametrize("kind", CASES)
def test_the_second_save_from_the_same_version_is_refused(kind, make_user, client_for):
    url_name, factory, field, first_value, second_value = CASES[kind]
    record = factory()
    url = reverse(url_name, args=[record.pk])
    jeanne, karim = _people(make_user, client_for)
    jeannes, karims = _as_sent(jeanne, url), _as_sent(karim, url)  # both open the page
    assert jeannes["version"] == karims["version"] == [str(record.version)]

    first = jeanne.post(url, {**jeannes, field: [first_value]})
    assert first.status_code == 302, first.context and first.context["form"].errors
    second = karim.post(url, {**karims, field: [second_value]})

    assert second.status_code == 200
    record.refresh_from_db()
    assert str(getattr(record, field)) == first_value  # nothing overwritten
    assert record.version == int(jeannes["version"][0]) + 1
    form = second.context["form"]
    assert form.record_changed
    html = second.content.decode()
    # Said once, at the top of the form (not again by the form's own rendering).
    assert html.count("Cette fiche a été modifiée par Jeanne Martin le ") == 1
    assert "vos modifications n&#x27;ont pas été enregistrées" in html
    # Both versions: what Karim typed, kept in the form, and Jeanne's value beside the field.
    assert form[field].value() == second_value
    assert second_value in html
    assert form.errors[field] == [f"Enregistré entre-temps : « {_shown(first_value)} »."]
    # The fields nobody changed are not flagged.
    assert set(form.errors) == {field, "__all__"}


def _shown(value):
    try:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def test_after_reading_both_versions_the_second_person_may_save(make_user, client_for):
    lieu = LieuFactory(nom="Médiathèque", telephone="")
    url = reverse("reseau:lieu_edit", args=[lieu.pk])
    jeanne, karim = _people(make_user, client_for)
    jeannes, karims = _as_sent(jeanne, url), _as_sent(karim, url)
    saved = jeanne.post(url, {**jeannes, "telephone": ["+33549000001"]})
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    refused = karim.post(url, {**karims, "nom": ["Médiathèque François-Mitterrand"]})
    assert refused.status_code == 200
    assert refused.context["form"].errors["telephone"] == [
        "Enregistré entre-temps : « +33549000001 »."
    ]
    # The page shown again carries the version now saved: sending it as it is saves it.
    again = _sent(refused, url)
    assert again["version"] == [str(lieu.version + 1)]
    assert karim.post(url, again).status_code == 302
    lieu.refresh_from_db()
    assert lieu.nom == "Médiathèque François-Mitterrand"
    assert lieu.telephone == ""  # Karim's form held the empty phone: he chose it
    assert lieu.version == 3


def test_two_decisions_on_the_same_request_the_second_is_refused(make_user, client_for):
    demande = DemandeFactory(statut=StatutDemande.SOUMISE)
    url = reverse("ordinateurs:demande_decide", args=[demande.pk])
    jeanne, karim = _people(make_user, client_for)
    jeannes, karims = _as_sent(jeanne, url), _as_sent(karim, url)
    first = jeanne.post(url, {**jeannes, "statut": [StatutDemande.ELIGIBLE], "priorite": ["1"]})
    assert first.status_code == 302
    second = karim.post(
        url, {**karims, "statut": [StatutDemande.REFUSEE], "motif": ["Hors critères"]}
    )
    assert second.status_code == 200
    demande.refresh_from_db()
    # "Éligible" puts the request on the waiting list in the same step.
    assert (demande.statut, demande.motif, demande.priorite) == (
        StatutDemande.LISTE_ATTENTE,
        "",
        1,
    )
    html = second.content.decode()
    assert "Cette fiche a été modifiée par Jeanne Martin le " in html
    assert "Enregistré entre-temps : « Haute »." in html
    assert "Hors critères" in html


def test_a_save_between_the_check_and_the_write_is_refused_by_the_database():
    """The form's check passed, then someone saved: the conditional UPDATE finds no row."""
    lieu = LieuFactory(nom="Médiathèque")
    form = LieuForm(
        data={**_model_data(lieu), "nom": "Tiers-lieu", "version": lieu.version}, instance=lieu
    )
    assert form.is_valid(), form.errors
    meanwhile = Lieu.objects.get(pk=lieu.pk)
    meanwhile.nom = "Maison de quartier"
    meanwhile.save()
    with pytest.raises(RecordChanged):
        audited_form_save(form, actor=None)
    assert Lieu.objects.get(pk=lieu.pk).nom == "Maison de quartier"


def test_the_lost_race_is_answered_with_a_page_saying_nothing_was_saved(
    make_user, client_for, monkeypatch
):
    lieu = LieuFactory(nom="Médiathèque")
    url = reverse("reseau:lieu_edit", args=[lieu.pk])
    jeanne, karim = _people(make_user, client_for)
    data = _as_sent(karim, url)
    checked = LieuForm.clean

    def someone_saves_right_after_the_check(form):
        cleaned = checked(form)
        other = Lieu.objects.get(pk=lieu.pk)
        other.nom = "Maison de quartier"
        other.save()
        return cleaned

    monkeypatch.setattr(LieuForm, "clean", someone_saves_right_after_the_check)
    response = karim.post(url, {**data, "nom": ["Tiers-lieu"]})
    assert response.status_code == 409
    assert "vos modifications n&#x27;ont pas été enregistrées" in response.content.decode()
    assert Lieu.objects.get(pk=lieu.pk).nom == "Maison de quartier"


def _model_data(lieu):
    return {
        "nom": lieu.nom,
        "structure": lieu.structure_id,
        "pivot": lieu.pivot,
        "adresse": lieu.adresse,
        "code_postal": lieu.code_postal,
        "commune": lieu.commune,
        "code_insee": lieu.code_insee,
        "quartier": lieu.quartier_id,
    }


def test_every_save_moves_the_version_on():
    lieu = LieuFactory()
    assert lieu.version == 1
    lieu.nom = "Autre nom"
    lieu.save()
    assert lieu.version == 2 == Lieu.objects.get(pk=lieu.pk).version
    lieu.archive()
    lieu.save(update_fields=["archived_at"])
    assert lieu.version == 3 == Lieu.objects.get(pk=lieu.pk).version
    # A stale copy saved without a form still moves the version on (never back).
    stale = Lieu.objects.get(pk=lieu.pk)
    lieu.save()
    stale.save()
    assert Lieu.objects.get(pk=lieu.pk).version == 5


@pytest.mark.parametrize("kind", CASES)
def test_each_form_save_moves_the_version_on(kind, make_user, client_for):
    url_name, factory, field, first_value, _second = CASES[kind]
    record = factory()
    url = reverse(url_name, args=[record.pk])
    (jeanne, _karim) = _people(make_user, client_for)
    for expected, value in ((2, first_value), (3, first_value)):
        assert jeanne.post(url, {**_as_sent(jeanne, url), field: [value]}).status_code == 302
        record.refresh_from_db()
        assert record.version == expected


def test_a_service_saving_a_request_moves_its_version_on(make_user):
    demande = DemandeFactory(statut=StatutDemande.SOUMISE)
    from ordinateurs import services

    services.decide(
        demande=demande, statut=StatutDemande.REFUSEE, motif="Hors critères", actor=make_user()
    )
    assert Demande.objects.get(pk=demande.pk).version == 2
    device = OrdinateurFactory()
    Ordinateur.objects.get(pk=device.pk).save()
    assert Ordinateur.objects.get(pk=device.pk).version == 2
    structure = StructureFactory()
    structure.save()
    assert Structure.objects.get(pk=structure.pk).version == 2


def test_a_page_opened_before_the_upgrade_saves_without_a_check(make_user, client_for):
    """The release that adds versions: a form loaded before it sends none."""
    lieu = LieuFactory(nom="Médiathèque")
    url = reverse("reseau:lieu_edit", args=[lieu.pk])
    (jeanne, _karim) = _people(make_user, client_for)
    data = _as_sent(jeanne, url)
    del data["version"]
    assert jeanne.post(url, {**data, "nom": ["Tiers-lieu"]}).status_code == 302
    assert Lieu.objects.get(pk=lieu.pk).nom == "Tiers-lieu"


def test_a_device_moved_meanwhile_refuses_a_description_opened_before(make_user, client_for):
    """A move writes the device's state through the service: the description form opened
    before it would otherwise write the old state back."""
    from ordinateurs import services
    from ordinateurs.enums import Etat

    device = OrdinateurFactory(etat=Etat.RECU, marque="Dell")
    url = reverse("ordinateurs:ordinateur_edit", args=[device.pk])
    (jeanne, _karim) = _people(make_user, client_for)
    opened = _as_sent(jeanne, url)
    services.move(ordinateur=device, vers=Etat.DIAGNOSTIQUE, actor=make_user())
    response = jeanne.post(url, {**opened, "marque": ["Lenovo"]})
    assert response.status_code == 200
    assert response.context["form"].record_changed
    device.refresh_from_db()
    assert (device.etat, device.marque) == (Etat.DIAGNOSTIQUE, "Dell")
