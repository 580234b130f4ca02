"""Exporting in La Coop's layout, and the round trip: import, export, import into an empty base."""

import datetime
import io
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone
from openpyxl import load_workbook

from permanences.coop import apply_import, export_sheet, plan_import, read_workbook
from permanences.figures import aggregates, attendance, breakdowns
from permanences.models import Accompagnement, Mediation, Permanence
from poitiers_inclusion import figures
from poitiers_inclusion.exports import write_xlsx
from poitiers_inclusion.models import Usager
from reseau.models import Lieu
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory, UserFactory

from .factories import MediationFactory, PermanenceFactory
from .factories_coop import SAMPLE, coop_row, coop_workbook

pytestmark = pytest.mark.django_db


def _figures():
    accompagnements = Accompagnement.objects.all()
    per_month = (
        accompagnements.values_list("mediation__date__year", "mediation__date__month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "accompagnements": accompagnements.count(),
        "individual": accompagnements.filter(mediation__type_activite="individuel").count(),
        "collective": Mediation.objects.filter(type_activite="collectif").count(),
        "unique_usagers": accompagnements.values("usager").distinct().count(),
        "identified": Usager.objects.identified().count(),
        "per_month": {(y, m): n for y, m, n in per_month},
        "minutes": sum(Mediation.objects.values_list("duree_minutes", flat=True)),
        "thematiques": sorted(t for m in Mediation.objects.all() for t in m.thematiques),
    }


def _export(user, citywide=False, mediations=None):
    stream = io.BytesIO()
    sheet = export_sheet(
        mediations=mediations if mediations is not None else Mediation.objects.all(),
        citywide=citywide,
        exporter=user,
        filters=[("Période", "Toutes")],
    )
    write_xlsx([sheet], stream)
    return stream.getvalue()


def _empty_database():
    Accompagnement.objects.all().delete()
    Mediation.objects.all().delete()
    Usager.objects.all().delete()
    Lieu.objects.all().delete()


def test_it_round_trips_the_sample_with_the_same_figures():
    conseiller = UserFactory(conseiller=True)
    apply_import(parsed=read_workbook(SAMPLE), conseiller=conseiller, actor=None)
    before = _figures()
    assert before["accompagnements"] == 489 and before["unique_usagers"] == 294

    content = _export(conseiller)
    _empty_database()
    parsed = read_workbook(io.BytesIO(content))
    assert parsed.errors == []
    apply_import(parsed=parsed, conseiller=conseiller, actor=None)
    assert _figures() == before


def test_a_coordinators_export_round_trips_too_and_names_the_mediateur():
    conseiller = UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    coordinator = UserFactory(coordinateur=True)
    apply_import(parsed=read_workbook(SAMPLE), conseiller=conseiller, actor=None)
    content = _export(coordinator, citywide=True)
    ws = load_workbook(io.BytesIO(content), read_only=True)["Activités"]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    assert rows[header_index - 1] == () or all(v is None for v in rows[header_index - 1])
    header = rows[header_index]
    first = dict(zip(header, rows[header_index + 1], strict=False))
    assert (first["Prénom du médiateur"], first["Nom du médiateur"]) == ("Inès", "Martin")
    assert "Bénéficiaire" in header

    _empty_database()
    apply_import(parsed=read_workbook(io.BytesIO(content)), conseiller=conseiller, actor=None)
    assert Accompagnement.objects.count() == 489
    assert Accompagnement.objects.values("usager").distinct().count() == 294


def test_it_writes_one_row_per_accompagnement_in_the_coop_layout():
    conseiller = UserFactory(conseiller=True)
    named = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2025, 3, 4),
        thematiques=["email", "aide_aux_demarches_administratives"],
        thematiques_demarche=["logement"],
        materiel=["ordinateur", "telephone"],
        autonomie="partiellement_autonome",
        usagers=[named],
        notes='=HYPERLINK("http://x")',
    )
    MediationFactory(
        conseiller=conseiller,
        type_activite="collectif",
        titre_atelier="Atelier tablette",
        niveau_atelier="avance",
        usagers=[UsagerFactory(), UsagerFactory()],
    )
    ws = load_workbook(io.BytesIO(_export(conseiller)))["Activités"]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    header = rows[header_index]
    records = [dict(zip(header, r, strict=False)) for r in rows[header_index + 1 :]]
    assert len(records) == 3
    individual = records[0]
    assert individual["Date"] == datetime.datetime(2025, 3, 4)
    assert individual["Participants"] == 1
    assert individual["Bénéficiaire"] == "Awa Diallo"
    assert individual["Thématique(s) d’accompagnement"] == (
        "E-mail\nAide aux démarches administratives\nLogement"
    )
    assert individual["Matériel numérique utilisé"] == "Ordinateur\nTéléphone"
    assert individual["Niveau d’autonomie (ou de l’atelier)"] == "2/3"
    assert individual["Notes supplémentaires"].startswith("'=")  # never a formula
    workshop = records[1:]
    assert [r["Participants"] for r in workshop] == ["1/2", "2/2"]
    assert {r["Bénéficiaire"] for r in workshop} == {"Bénéficiaire anonyme"}
    assert workshop[0]["Niveau d’autonomie (ou de l’atelier)"] == "3/3"
    assert workshop[0]["ID CRA"] == workshop[1]["ID CRA"]


def test_a_redirection_la_coop_does_not_know_is_written_as_autre():
    """Social internet offers are the city's own redirection: La Coop's list has no such value,
    so its file says "Autre" (which its import reads), and the others keep their label."""
    conseiller = UserFactory(conseiller=True)
    MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2025, 3, 4),
        redirige=True,
        structure_redirection="offre_sociale_internet",
    )
    MediationFactory(
        conseiller=conseiller,
        date=datetime.date(2025, 3, 3),
        redirige=True,
        structure_redirection="aide_sociale",
    )
    ws = load_workbook(io.BytesIO(_export(conseiller)))["Activités"]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    column = rows[header_index].index("Structure de redirection")
    values = {r[0].date(): r[column] for r in rows[header_index + 1 :]}
    assert values == {
        datetime.date(2025, 3, 4): "Autre",
        datetime.date(
            2025, 3, 3
        ): "Structure d’aide sociale (maison des solidarités, centre social…)",
    }


def test_the_export_command_writes_a_file_the_import_reads(tmp_path):
    from django.core.management import call_command

    conseiller = UserFactory(conseiller=True, email="c@exemple.test")
    apply_import(parsed=read_workbook(SAMPLE), conseiller=conseiller, actor=None)
    path = tmp_path / "out.xlsx"
    call_command(
        "export_coop", str(path), conseiller="c@exemple.test", du="2025-01-01", au="2025-06-30"
    )
    parsed = read_workbook(path)
    assert parsed.errors == [] and len(parsed.rows) == 248


def test_the_export_command_refuses_more_rows_than_a_worksheet_holds(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    from poitiers_inclusion import exports

    conseiller = UserFactory(conseiller=True, email="c@exemple.test")
    apply_import(parsed=read_workbook(SAMPLE), conseiller=conseiller, actor=None)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 200)  # fewer than the sample's 248 rows
    path = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match=r"Plus de 1\d\d lignes : une feuille Excel"):
        call_command("export_coop", str(path), conseiller="c@exemple.test")
    assert not path.exists()


# --- The layout of DESIGN §4, then the app's own columns ---

COOP_BEFORE_MEDIATEUR = ["Date", "Enregistré le", "Dernière modification le"]
MEDIATEUR = ["Prénom du médiateur", "Nom du médiateur", "Rôle", "ID - Conum"]
COOP_AFTER_MEDIATEUR = [
    "Type",
    "Participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Nom du lieu",
    "Adresse",
    "Commune",
    "Code postal",
    "Code Insee",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Tags",
    "Nom de la démarche administrative",
    "Niveau d’autonomie (ou de l’atelier)",
    "Bénéficiaire réorienté",
    "Structure de redirection",
    "Commune du bénéficiaire",
    "Code postal du bénéficiaire",
    "Code Insee du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
    "Source de la donnée",
    "ID CRA",
]
APP_COLUMNS = [
    "Satisfaction",
    "Connu par",
    "Première visite",
    "Quartier de résidence",
    "Réf. usager",
]


def _records(content):
    rows = list(load_workbook(io.BytesIO(content))["Activités"].iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    header = list(rows[header_index])
    return header, [dict(zip(header, r, strict=True)) for r in rows[header_index + 1 :]]


@pytest.mark.parametrize("citywide", [False, True], ids=["conseiller", "city"])
def test_the_header_follows_design_4_then_the_apps_own_columns(citywide):
    coordinator = UserFactory(coordinateur=True)
    mediation = MediationFactory(date=datetime.date(2025, 3, 4))
    header, [record] = _records(_export(coordinator, citywide=citywide))
    expected = COOP_BEFORE_MEDIATEUR + (MEDIATEUR if citywide else []) + COOP_AFTER_MEDIATEUR
    assert header == expected + APP_COLUMNS
    recorded = timezone.localtime(mediation.created_at).strftime("%d/%m/%Y à %H:%M")
    assert record["Enregistré le"] == recorded


def test_the_last_modification_is_the_activitys_own():
    conseiller = UserFactory(conseiller=True)
    mediation = MediationFactory(conseiller=conseiller, date=datetime.date(2025, 3, 4))
    later = mediation.created_at + datetime.timedelta(days=3, hours=2)
    Mediation.objects.filter(pk=mediation.pk).update(updated_at=later)
    _header, [record] = _records(_export(conseiller))
    assert record["Dernière modification le"] == (
        timezone.localtime(later).strftime("%d/%m/%Y à %H:%M")
    )


# --- Round trip of activity logged in the app, through the dashboard's own figures ---


def _dashboard() -> dict:
    scope = figures.Scope()
    since_april = figures.Scope(start=datetime.date(2025, 4, 1))
    slots = Permanence.objects.all()
    visits = attendance.Attendance(slots, datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    total = visits.total()
    return {
        "totals": aggregates.totals(scope),
        "new_and_returning": aggregates.new_and_returning(since_april),
        "per_conseiller": breakdowns.per_conseiller(scope),
        "per_satisfaction": breakdowns.per_satisfaction(scope),
        "satisfied_share": breakdowns.satisfied_share(scope),
        "per_source": breakdowns.per_source(scope),
        "per_month": breakdowns.per_month(scope),
        "per_lieu": breakdowns.per_lieu(scope),
        "per_genre": breakdowns.per_genre(scope),
        "per_age_band": breakdowns.per_age_band(scope),
        "per_statut": breakdowns.per_statut(scope),
        "per_quartier": breakdowns.per_quartier(scope),
        "qpv_share": breakdowns.qpv_share(scope),
        "per_thematique": breakdowns.per_thematique(scope),
        "per_demarche": breakdowns.per_demarche(scope),
        "per_materiel": breakdowns.per_materiel(scope),
        "per_duration_band": breakdowns.per_duration_band(scope),
        "per_autonomie": breakdowns.per_autonomie(scope),
        "redirections": breakdowns.redirections(scope),
        "first_visits": sorted(
            Counter(
                Accompagnement.objects.values_list("mediation__premiere_visite", flat=True)
            ).items(),
            key=str,
        ),
        "identified": Usager.objects.identified().count(),
        "attendance": (total.visits, total.usagers, total.empty, total.slots),
        "per_permanence": [(s.label, s.visits, s.usagers) for s in visits.by_permanence()],
    }


@pytest.fixture
def logged_in_app():
    """Activity as the log form records it: two conseillers at their desks, every field used."""
    ines = UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    karim = UserFactory(conseiller=True, first_name="Karim", last_name="Benali")
    couronneries = QuartierFactory(nom="Les Couronneries", prioritaire=True)
    eloi = QuartierFactory(nom="Saint-Éloi")
    mediatheque = LieuFactory(nom="Médiathèque des Couronneries", quartier=couronneries)
    maison = LieuFactory(nom="Maison de quartier Saint-Éloi", quartier=eloi)
    tuesday = PermanenceFactory(lieu=mediatheque, weekday=1, valid_from=datetime.date(2025, 1, 1))
    tuesday.conseillers.add(ines)
    thursday = PermanenceFactory(lieu=maison, weekday=3, valid_from=datetime.date(2025, 1, 1))
    thursday.conseillers.add(karim)

    awa = UsagerFactory(
        identified=True,
        first_name="Awa",
        last_name="Diallo",
        commune="Poitiers",
        code_postal="86000",
        quartier=couronneries,
        genre="feminin",
        statut_social="retraite",
        birth_year=1950,
    )
    jean = UsagerFactory(identified=True, first_name="Jean", last_name="Dupont", quartier=eloi)
    regular = UsagerFactory(
        genre="masculin", tranche_age="25_39_ans", statut_social="en_emploi", quartier=eloi
    )
    once = UsagerFactory(genre="feminin", tranche_age="18_24_ans")

    def log(conseiller, day, slot, usagers, **fields):
        return MediationFactory(
            conseiller=conseiller,
            date=day,
            lieu=slot.lieu,
            permanence=slot,
            usagers=usagers,
            **fields,
        )

    log(
        ines,
        datetime.date(2025, 3, 4),
        tuesday,
        [awa],
        satisfaction="tres_satisfait",
        source_connaissance="affiche",
        premiere_visite=True,
        duree_minutes=45,
        autonomie="partiellement_autonome",
        materiel=["ordinateur"],
    )
    log(
        ines,
        datetime.date(2025, 3, 11),
        tuesday,
        [regular],
        satisfaction="satisfait",
        source_connaissance="bouche_a_oreille",
        premiere_visite=True,
        thematiques=["aide_aux_demarches_administratives"],
        thematiques_demarche=["logement"],
        redirige=True,
        structure_redirection="aide_sociale",
    )
    log(
        karim,
        datetime.date(2025, 4, 3),
        thursday,
        [regular],
        satisfaction="peu_satisfait",
        premiere_visite=False,
        duree_minutes=120,
        materiel=["telephone", "tablette"],
    )
    log(
        karim,
        datetime.date(2025, 4, 10),
        thursday,
        [jean],
        source_connaissance="partenaire",
        premiere_visite=True,
        autonomie="autonome",
    )
    log(
        ines,
        datetime.date(2025, 5, 6),
        tuesday,
        [regular, once, UsagerFactory(), awa],
        type_activite="collectif",
        titre_atelier="Découvrir la messagerie",
        niveau_atelier="debutant",
        satisfaction="tres_satisfait",
        duree_minutes=90,
    )
    MediationFactory(
        conseiller=karim,
        date=datetime.date(2025, 5, 15),
        type_lieu="domicile",
        lieu=None,
        usagers=[jean],
        satisfaction="satisfait",
        source_connaissance="site_ville",
        premiere_visite=False,
    )
    return {"ines": ines, "karim": karim}


def _forget_activity():
    """An empty database of activity; accounts, quartiers, lieux and their desks stay."""
    Accompagnement.objects.all().delete()
    Mediation.objects.all().delete()
    Usager.objects.all().delete()


def test_activity_logged_in_the_app_round_trips_with_the_dashboards_figures(logged_in_app):
    before = _dashboard()
    assert before["totals"]["total"] == 9 and before["totals"]["usagers_uniques"] == 5
    assert before["attendance"][0] == 8  # visits at the two desks
    content = _export(UserFactory(coordinateur=True), citywide=True)

    _forget_activity()
    importer = UserFactory(conseiller=True, first_name="Compte", last_name="Par défaut")
    parsed = read_workbook(io.BytesIO(content))
    assert parsed.errors == [] and parsed.ignored_columns == []
    plan = plan_import(parsed, conseiller=importer)
    assert plan.unique_usagers == 5
    assert {(e["conseiller"], e["from_file"]) for e in plan.attribution} == {
        (logged_in_app["ines"], True),
        (logged_in_app["karim"], True),
    }
    apply_import(parsed=parsed, conseiller=importer, actor=None)
    assert _dashboard() == before


def test_a_conseillers_own_export_round_trips_too(logged_in_app):
    ines = logged_in_app["ines"]
    mine = Mediation.objects.filter(conseiller=ines)
    before = _dashboard_of(ines)
    content = _export(ines, mediations=mine)
    _forget_activity()
    apply_import(parsed=read_workbook(io.BytesIO(content)), conseiller=ines, actor=None)
    assert _dashboard_of(ines) == before


def _dashboard_of(user):
    scope = figures.Scope(user=user)
    return {
        "totals": aggregates.totals(scope),
        "per_satisfaction": breakdowns.per_satisfaction(scope),
        "per_source": breakdowns.per_source(scope),
        "per_genre": breakdowns.per_genre(scope),
        "per_quartier": breakdowns.per_quartier(scope),
    }


# --- Importing our own export again ---


def test_importing_our_own_export_again_adds_nothing(logged_in_app):
    coordinator = UserFactory(coordinateur=True)
    content = _export(coordinator, citywide=True)
    own = _export(
        logged_in_app["ines"], mediations=Mediation.objects.filter(conseiller=logged_in_app["ines"])
    )
    # Corrected after the export: still the same activity.
    Mediation.objects.filter(date=datetime.date(2025, 3, 4)).update(date=datetime.date(2025, 3, 5))
    before = (_dashboard(), Usager.objects.count(), Mediation.objects.count())
    for file in (content, own):
        parsed = read_workbook(io.BytesIO(file))
        plan = plan_import(parsed, conseiller=logged_in_app["ines"])
        assert plan.accompagnements == 0 and plan.already_imported == len(parsed.rows)
        result = apply_import(parsed=parsed, conseiller=logged_in_app["ines"], actor=None)
        assert (result.mediations, result.usagers_created) == (0, 0)
    assert (_dashboard(), Usager.objects.count(), Mediation.objects.count()) == before


def test_an_id_of_ours_from_another_database_is_imported_once():
    conseiller = UserFactory(conseiller=True)
    local = MediationFactory(conseiller=conseiller, date=datetime.date(2025, 3, 4))
    foreign = coop_row(
        1, **{"ID CRA": f"poitiers-{local.pk}", "Enregistré le": "01/01/2020 à 08:00"}
    )
    content = coop_workbook([foreign])
    apply_import(parsed=read_workbook(io.BytesIO(content)), conseiller=conseiller, actor=None)
    assert Mediation.objects.count() == 2
    assert Mediation.objects.filter(coop_id=f"poitiers-{local.pk}").exclude(pk=local.pk).exists()
    again = apply_import(
        parsed=read_workbook(io.BytesIO(content)), conseiller=conseiller, actor=None
    )
    assert again.accompagnements == 0 and Mediation.objects.count() == 2
