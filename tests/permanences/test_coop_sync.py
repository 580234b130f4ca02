"""Synchronisation with La Coop's API, against a stand-in server shaped like its OpenAPI schemas."""

import datetime
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from permanences.coop.client import CoopAccessError, CoopApiError, CoopClient
from permanences.coop.sync import sync
from permanences.enums import SyncOutcome, Thematique, TypeActivite, TypeLieu
from permanences.models import Accompagnement, CoopSync, Mediation
from poitiers_inclusion.models import AuditEvent, Usager, User
from tests.factories import UserFactory
from tests.permanences.coop_standin import TOKEN, StandIn, activite, structure, utilisateur
from tests.permanences.factories import MediationFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def coop(settings):
    standin = StandIn()
    settings.COOP_API_URL = standin.start()
    settings.COOP_API_TOKEN = TOKEN
    yield standin
    standin.stop()


@pytest.fixture
def city(coop):
    """Two conseillers of the city (one found by e-mail, one by the Coop id on the account), a
    médiateur of elsewhere, and their activities on the stand-in."""
    alice = UserFactory(conseiller=True, email="alice@ville.test")
    bruno = UserFactory(conseiller=True, coop_id=str(uuid.uuid4()))
    med_alice, med_other = str(uuid.uuid4()), str(uuid.uuid4())
    coop.utilisateurs = [
        utilisateur(email="Alice@Ville.test", mediateur_id=med_alice),
        utilisateur(email="zoe@ailleurs.test", mediateur_id=med_other, prenom="Zoé", nom="Roy"),
    ]
    maison = structure(nom="Maison de quartier des Couronneries")
    coop.structures[maison["id"]] = maison
    coop.add(
        activite(mediateur_id=med_alice, modified=T0, duree=30),
        activite(
            mediateur_id=med_alice,
            modified=T0 + HOUR,
            type="collectif",
            accompagnements=4,
            duree=120,
            type_lieu="lieu_activite",
            structure_id=maison["id"],
            titre_atelier="Découvrir l’e-mail",
            niveau_atelier="debutant",
            autonomie=None,
            thematiques=["email", "navigation_sur_internet"],
        ),
        activite(
            mediateur_id=med_alice,
            modified=T0 + 2 * HOUR,
            type="demarche_administrative",
            thematiques=["papiers_elections_citoyennete"],
            precisions_demarche="Renouvellement de carte d’identité",
            duree=60,
        ),
        activite(mediateur_id=bruno.coop_id, modified=T0 + 3 * HOUR, duree=15),
        activite(
            mediateur_id=bruno.coop_id,
            modified=T0 + 4 * HOUR,
            duree=90,
            type_lieu="domicile",
            materiel=["tablette", "telephone"],
            oriente_vers_structure=True,
            structure_de_redirection="administration",
        ),
        activite(mediateur_id=med_other, modified=T0 + 5 * HOUR, duree=45),
    )
    return {"alice": alice, "bruno": bruno, "maison": maison, "elsewhere": med_other}


def _client(coop, delays=None):
    return CoopClient(
        coop.server and f"http://127.0.0.1:{coop.server.server_port}/api/v1",
        TOKEN,
        sleep=(delays if delays is not None else []).append,
    )


def _ours(coop, city):
    """The stand-in's activities that are the city's (known médiateur, not deleted)."""
    return [
        a
        for a in coop.activites.values()
        if a["attributes"]["mediateur_id"] != city["elsewhere"]
        and not a["attributes"]["suppression"]
    ]


def _figures():
    synced = Mediation.objects.exclude(coop_id=None)
    return {
        "activites": synced.count(),
        "accompagnements": Accompagnement.objects.filter(mediation__in=synced).count(),
        "minutes": synced.aggregate(total=Sum("duree_minutes"))["total"] or 0,
        "par_conseiller": dict(
            synced.values_list("conseiller__email").annotate(n=Count("id")).order_by()
        ),
    }


def _expected(coop, city):
    ours = _ours(coop, city)
    mediateur_email = {city["bruno"].coop_id: city["bruno"].email}
    per = {}
    for a in ours:
        email = mediateur_email.get(a["attributes"]["mediateur_id"], "alice@ville.test")
        per[email] = per.get(email, 0) + 1
    return {
        "activites": len(ours),
        "accompagnements": sum(a["attributes"]["accompagnements"] for a in ours),
        "minutes": sum(a["attributes"]["duree"] for a in ours),
        "par_conseiller": per,
    }


def _database():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Mediation, Accompagnement, Usager, AuditEvent, User)
    }


def test_it_brings_the_city_activities_with_figures_equal_to_the_coop(coop, city):
    coop.fail_next(429, **{"Retry-After": "3"})
    coop.fail_next(500)
    delays = []

    report = sync(client=_client(coop, delays), page_size=2)

    assert delays == [3.0, 4.0]  # Retry-After honoured, then the backoff's second step
    assert report.complete and report.pages == 3
    assert _figures() == _expected(coop, city)
    assert (report.created, report.updated, len(report.refused)) == (5, 0, 1)
    collective = Mediation.objects.get(type_activite=TypeActivite.COLLECTIF)
    assert collective.lieu.nom == "Maison de quartier des Couronneries"
    assert collective.niveau_atelier == "debutant" and collective.titre_atelier
    assert collective.accompagnements.count() == 4
    demarche = Mediation.objects.get(nom_demarche="Renouvellement de carte d’identité")
    assert demarche.type_activite == TypeActivite.INDIVIDUEL
    assert demarche.thematiques == [Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES]
    assert demarche.thematiques_demarche == ["papiers_elections_citoyennete"]
    home = Mediation.objects.get(type_lieu=TypeLieu.DOMICILE)
    assert home.redirige and home.structure_redirection == "administration"
    assert sorted(home.materiel) == ["tablette", "telephone"]
    state = CoopSync.current()
    assert state.outcome == SyncOutcome.COMPLETE and state.cursor == ""
    assert state.watermark == T0 + 5 * HOUR
    assert state.counts["creees"] == 5 and state.counts["refusees"] == 1


def test_a_second_run_changes_nothing(coop, city):
    sync(client=_client(coop), page_size=2)
    before = _database()

    again = sync(client=_client(coop), page_size=2)
    everything = sync(client=_client(coop), page_size=2, since=datetime.date(2020, 1, 1))

    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert (everything.created, everything.updated, everything.unchanged) == (0, 0, 5)
    assert _database() == before
    # Incremental: the second run asked only for what changed since the first pass's newest.
    asked = [p for path, p in coop.requests if path == "/activites"]
    assert asked[3]["filter[modification][depuis]"] == "2026-11-10T14:00:00Z"


def test_an_activity_edited_in_the_coop_updates_ours_and_keeps_what_was_typed_here(coop, city):
    sync(client=_client(coop))
    edited = next(a for a in _ours(coop, city) if a["attributes"]["duree"] == 30)
    mediation = Mediation.objects.get(coop_id=edited["id"])
    mediation.notes = "Revient jeudi"
    mediation.save()
    edited["attributes"].update(
        duree=50, thematiques=["bureautique"], modification="2026-11-11T08:00:00Z"
    )

    report = sync(client=_client(coop))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    mediation.refresh_from_db()
    assert mediation.duree_minutes == 50 and mediation.thematiques == ["bureautique"]
    assert mediation.notes == "Revient jeudi"
    assert _figures() == _expected(coop, city)


def test_a_workshop_with_more_participants_in_the_coop_gets_them_here(coop, city):
    sync(client=_client(coop))
    workshop = next(a for a in _ours(coop, city) if a["attributes"]["type"] == "collectif")
    workshop["attributes"].update(accompagnements=6, modification="2026-11-11T08:00:00Z")
    sync(client=_client(coop))
    assert Mediation.objects.get(coop_id=workshop["id"]).accompagnements.count() == 6
    workshop["attributes"].update(accompagnements=3, modification="2026-11-11T09:00:00Z")
    sync(client=_client(coop))
    assert Mediation.objects.get(coop_id=workshop["id"]).accompagnements.count() == 3
    assert _figures() == _expected(coop, city)


def test_an_activity_deleted_in_the_coop_is_deleted_here(coop, city):
    sync(client=_client(coop))
    gone = _ours(coop, city)[0]
    gone["attributes"].update(
        suppression="2026-11-11T08:00:00Z", modification="2026-11-11T08:00:00Z"
    )
    report = sync(client=_client(coop))
    assert report.deleted == 1
    assert not Mediation.objects.filter(coop_id=gone["id"]).exists()
    assert _figures() == _expected(coop, city)


def test_an_activity_imported_from_the_export_file_is_recognised(coop, city):
    first = _ours(coop, city)[0]
    imported = MediationFactory(
        coop_id=first["id"],
        conseiller=city["alice"],
        date=datetime.date(2026, 11, 2),
        type_lieu=TypeLieu.A_DISTANCE,
        lieu=None,
        duree_minutes=30,
        materiel=["ordinateur"],
        autonomie="partiellement_autonome",
        thematiques=["email"],
        source_donnee="La Coop de la médiation numérique (import)",
    )
    report = sync(client=_client(coop))
    assert report.created == 4 and report.unchanged == 1
    assert Mediation.objects.filter(coop_id=first["id"]).get() == imported
    assert _figures() == _expected(coop, city)


def test_mediations_typed_here_are_never_touched(coop, city):
    typed = MediationFactory(conseiller=city["alice"], duree_minutes=25)
    before = Mediation.objects.filter(pk=typed.pk).values().get()
    mine = _ours(coop, city)[0]
    mine["id"] = f"poitiers-{typed.pk}"  # our export's number for it, come back from the Coop
    coop.activites = {a["id"]: a for a in coop.activites.values()}

    report = sync(client=_client(coop))

    assert Mediation.objects.filter(pk=typed.pk).values().get() == before
    assert any("saisie dans l’application" in r["motif"] for r in report.refused)


def test_an_implausible_number_of_people_is_refused(coop, city):
    workshop = next(a for a in _ours(coop, city) if a["attributes"]["type"] == "collectif")
    workshop["attributes"]["accompagnements"] = 100_000
    report = sync(client=_client(coop))
    assert not Mediation.objects.filter(coop_id=workshop["id"]).exists()
    assert any("plus de 500 accompagnements" in r["motif"] for r in report.refused)
    assert Usager.objects.count() == 4  # one per individual activity, nobody for the workshop


def test_an_unknown_mediateur_is_reported_not_created(coop, city):
    accounts = User.objects.count()
    report = sync(client=_client(coop))
    assert User.objects.count() == accounts
    [refused] = report.refused
    assert "Zoé Roy <zoe@ailleurs.test>" == refused["mediateur"]
    assert "médiateur inconnu" in refused["motif"]
    assert CoopSync.current().refused == report.refused


def test_a_run_is_bounded_in_pages_and_the_next_one_goes_on(coop, city):
    first = sync(client=_client(coop), page_size=2, max_pages=1)
    state = CoopSync.current()
    assert not first.complete and state.outcome == SyncOutcome.PARTIAL and state.cursor
    assert Mediation.objects.count() == 1  # the newest two: Bruno's, and one refused

    second = sync(client=_client(coop), page_size=2, max_pages=5)

    assert second.complete and CoopSync.current().cursor == ""
    asked = [p for path, p in coop.requests if path == "/activites"]
    assert asked[1]["page[after]"] == state.cursor
    assert _figures() == _expected(coop, city)


def test_it_resumes_where_a_failure_stopped_it(coop, city):
    client = _client(coop)
    client.retries = 1
    real_page = client.page
    calls = []

    def page(path, params, **kwargs):
        calls.append(path)
        if path == "activites" and calls.count("activites") == 2:
            coop.fail_next(500)
            coop.fail_next(502)
        return real_page(path, params, **kwargs)

    client.page = page
    with pytest.raises(CoopApiError, match="reprendra au même endroit"):
        sync(client=client, page_size=2)
    state = CoopSync.current()
    assert state.outcome == SyncOutcome.FAILED and "502" in state.error
    assert state.cursor and Mediation.objects.count() == 1  # the first page's, kept
    asked = len(coop.requests)

    sync(client=_client(coop), page_size=2)

    assert coop.requests[asked][1]["page[after]"] == state.cursor

    assert _figures() == _expected(coop, city)
    assert CoopSync.current().outcome == SyncOutcome.COMPLETE


def test_a_refused_token_says_what_to_do_in_french(coop, city, settings):
    client = CoopClient(settings.COOP_API_URL, "client:mauvais-secret", sleep=[].append)
    with pytest.raises(CoopAccessError) as error:
        sync(client=client)
    assert "COOP_API_TOKEN" in str(error.value) and "401" in str(error.value)
    assert Mediation.objects.count() == 0


def test_the_command_syncs_and_says_what_it_did(coop, city):
    out = io.StringIO()
    call_command("sync_coop", stdout=out)
    assert "5 créée(s)" in out.getvalue() and "1 refusée(s)" in out.getvalue()
    assert _figures() == _expected(coop, city)


def test_the_command_dry_run_writes_nothing(coop, city):
    out = io.StringIO()
    call_command("sync_coop", "--dry-run", stdout=out)
    assert "Essai à blanc" in out.getvalue() and "5 créée(s)" in out.getvalue()
    assert Mediation.objects.count() == 0 and Usager.objects.count() == 0
    assert not CoopSync.objects.exists()


def test_the_command_since_asks_from_that_day(coop, city):
    call_command("sync_coop", "--since", "2026-11-01", stdout=io.StringIO())
    assert coop.requests[0][1]["filter[modification][depuis]"] == "2026-10-31T23:00:00Z"
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("sync_coop", "--since", "01/11/2026")


def test_the_command_refused_token_fails_with_the_reason(coop, city, settings):
    settings.COOP_API_TOKEN = "client:faux"
    with pytest.raises(CommandError, match="COOP_API_TOKEN"):
        call_command("sync_coop", stdout=io.StringIO())


def test_without_settings_nothing_happens(settings, db):
    settings.COOP_API_URL = ""
    out = io.StringIO()
    call_command("sync_coop", stdout=out)
    assert "COOP_API_URL" in out.getvalue() and "COOP_API_TOKEN" in out.getvalue()
    assert not CoopSync.objects.exists()
