"""Exporting in La Coop's layout, and the round trip: import, export, import into an empty base."""

import datetime
import io

import pytest
from django.db.models import Count
from openpyxl import load_workbook

from permanences.coop import apply_import, export_sheet, read_workbook
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.exports import write_xlsx
from poitiers_inclusion.models import Usager
from reseau.models import Lieu
from tests.factories import UsagerFactory, UserFactory

from .factories import MediationFactory
from .factories_coop import SAMPLE

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
