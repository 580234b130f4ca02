"""The national places standard: the export validates with frictionless against schema.json."""

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import Resource, Schema

from poitiers_inclusion.enums import Role
from reseau import demo, standard
from reseau.enums import (
    Dispositif,
    FormationLabel,
    Frais,
    Itinerance,
    ModaliteAcces,
    ModaliteAccompagnement,
    PriseEnCharge,
    Public,
    Service,
)

from ..factories import LieuFactory, QuartierFactory

DATA = Path(__file__).parent / "data"
SCHEMA = DATA / "schema.json"

pytestmark = pytest.mark.django_db


def _validate(folder: Path, name: str):
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    report = Resource(path=name, basepath=str(folder), schema=schema).validate()
    return report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_it_follows_the_schema_columns_in_order():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert standard.FIELDS == [f["name"] for f in schema["fields"]]
    assert schema["version"] == standard.VERSION


def test_it_keeps_byte_identical_copies_of_the_standard():
    """The copies are the standard's own files: their sums are those ORIGIN.md records."""
    recorded = dict(
        reversed(line.split())
        for line in (DATA / "ORIGIN.md").read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r"\s+[0-9a-f]{64}  \S+", line)
    )
    assert recorded.keys() == {"schema.json", "exemple-valide.csv"}
    for name, digest in recorded.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_it_exports_the_demo_data_in_a_file_that_validates(tmp_path):
    demo.load(io.StringIO())
    out = tmp_path / "lieux.csv"
    call_command("export_lieux", str(out), stderr=io.StringIO())
    valid, errors = _validate(tmp_path, "lieux.csv")
    assert valid, errors
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert len(rows) == 13
    assert {r["date_maj"] for r in rows} == {"2022-09-01"}


def test_it_exports_crafted_lieux_with_every_listed_value(tmp_path):
    full = LieuFactory(
        nom="=Lieu au nom piégé",
        identifiant="lieu-complet",
        telephone="+33549000000",
        courriels=["a@exemple.test", "b@exemple.test"],
        site_web=["https://exemple.test/", "https://exemple.test/facebook"],
        horaires="Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
        presentation_resume="x" * 280,
        typologie=["TIERS_LIEUX", "ASSO"],
        itinerance=Itinerance.values,
        services=Service.values,
        publics_specifiquement_adresses=Public.values,
        prise_en_charge_specifique=PriseEnCharge.values,
        frais_a_charge=Frais.values,
        dispositif_programmes_nationaux=Dispositif.values,
        formations_labels=FormationLabel.values,
        autres_formations_labels=["Label local", "Autre label"],
        modalites_acces=ModaliteAcces.values,
        modalites_accompagnement=ModaliteAccompagnement.values,
        fiche_acces_libre="https://acceslibre.beta.gouv.fr/app/erp/1/",
        prise_rdv="https://www.rdv-solidarites.fr/",
    )
    LieuFactory(nom="Sans coordonnées", latitude=None, longitude=None, code_insee="")
    LieuFactory(nom="Lieu archivé", archived=True)
    out = tmp_path / "lieux.csv"
    out.write_text(standard.csv_text(), encoding="utf-8")
    valid, errors = _validate(tmp_path, "lieux.csv")
    assert valid, errors
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert "Lieu archivé" not in {r["nom"] for r in rows.values()}
    exported = rows["lieu-complet"]
    assert exported["services"].split("|") == Service.values
    assert exported["courriels"] == "a@exemple.test|b@exemple.test"
    assert exported["telephone"] == "+33549000000"
    assert exported["nom"] == "=Lieu au nom piégé"  # data for programs: published unaltered
    assert exported["date_maj"] == full.date_maj.isoformat()


def test_it_serves_the_csv_and_json_to_anyone(client):
    lieu = LieuFactory(nom="Médiathèque des Essais", services=[Service.DEMARCHES.value])
    csv_response = client.get("/api/v1/lieux.csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8"))))
    assert rows[0]["nom"] == "Médiathèque des Essais"

    data = client.get("/api/v1/lieux.json").json()
    assert data[0]["id"] == lieu.identifiant
    assert data[0]["services"] == Service.DEMARCHES.value
    assert list(data[0]) == standard.FIELDS


def test_it_publishes_values_unaltered_in_the_open_data(tmp_path, client):
    """The open data files are read by programs (and validated by frictionless): no quote is
    added in front of a value a spreadsheet would take for a formula."""
    lieu = LieuFactory(
        nom="-Espace numérique",
        adresse="+ rue des Essais",
        presentation_resume="=Atelier du lundi",
        structure_parente="@Ville",
        typologie=["EPN", "CAARUD"],
    )
    response = client.get("/api/v1/lieux.csv")
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert row["nom"] == "-Espace numérique"
    assert row["adresse"] == "+ rue des Essais"
    assert row["presentation_resume"] == "=Atelier du lundi"
    assert row["structure_parente"] == "@Ville"
    assert row["typologie"] == "EPN|CAARUD"
    (item,) = client.get("/api/v1/lieux.json").json()
    assert (item["nom"], item["presentation_resume"]) == ("-Espace numérique", "=Atelier du lundi")
    out = tmp_path / "lieux.csv"
    call_command("export_lieux", str(out), stderr=io.StringIO())
    assert ",-Espace numérique," in out.read_text(encoding="utf-8")
    valid, errors = _validate(tmp_path, "lieux.csv")
    assert valid, errors
    assert lieu.identifiant in out.read_text(encoding="utf-8")


def test_the_spreadsheet_export_for_people_stays_guarded(client_for, make_user):
    QuartierFactory(nom="=Quartier piégé")
    client = client_for(make_user(Role.COORDINATEUR))
    response = client.get(reverse("reseau:couverture"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "\n'=Quartier piégé;" in text
