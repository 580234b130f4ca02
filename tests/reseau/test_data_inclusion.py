"""The partner network published to data·inclusion: every row validates with the schema's own
pydantic models (package data-inclusion-schema, v1), and our vocabularies map as documented."""

import io
import json

import pytest
from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure
from django.core.management import call_command

from reseau import data_inclusion, demo
from reseau.enums import (
    Dispositif,
    Frais,
    ModaliteAcces,
    ModaliteAccompagnement,
    Public,
    Service,
)
from reseau.models import Lieu

from ..factories import LieuFactory, StructureFactory

pytestmark = pytest.mark.django_db


def _validate(rows, model):
    """Every row validates, and carries no key the schema does not define (pydantic would
    silently drop it, and data·inclusion would never see it)."""
    for row in rows:
        assert set(row) <= set(model.model_fields), set(row) - set(model.model_fields)
        model.model_validate(row)


def test_the_demo_network_validates_with_data_inclusion_models(tmp_path):
    demo.load(io.StringIO())
    call_command("export_data_inclusion", str(tmp_path), stderr=io.StringIO())
    structures = json.loads((tmp_path / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
    _validate(structures, DIStructure)
    _validate(services, DIService)
    ids = {s["id"] for s in structures}
    assert len(ids) == len(structures)
    assert {s["structure_id"] for s in services} <= ids
    assert len({s["id"] for s in services}) == len(services)
    # Every active lieu of the demo is there.
    assert {data_inclusion.lieu_id_of(lieu) for lieu in Lieu.objects.active()} <= ids
    assert all(str(t).startswith("numerique--") for s in services for t in s["thematiques"] or [])


def test_a_lieu_maps_to_data_inclusion_vocabularies():
    LieuFactory(
        nom="Médiathèque des Couronneries.",
        identifiant="lieu-couronneries",
        telephone="+33549000000",
        courriels=["accueil@mediatheques-poitiers.fr", "autre@mediatheques-poitiers.fr"],
        services=[Service.DEMARCHES, Service.MATERIEL_SOLIDAIRE],
        publics_specifiquement_adresses=[Public.SENIORS, Public.FEMMES],
        frais_a_charge=[Frais.GRATUIT, Frais.GRATUIT_SOUS_CONDITION],
        dispositif_programmes_nationaux=[Dispositif.CONUM, Dispositif.AIDANTS_CONNECT],
        typologie=["BIB", "MUNI"],
        modalites_acces=[ModaliteAcces.TELEPHONER, ModaliteAcces.RDV_EN_LIGNE],
        modalites_accompagnement=[ModaliteAccompagnement.DISTANCE],
        prise_rdv="https://rdv.exemple.test/",
        fiche_acces_libre="https://acceslibre.beta.gouv.fr/app/erp/1/",
    )
    LieuFactory(nom="Lieu archivé", archived=True)
    structures = {s["id"]: s for s in data_inclusion.structures()}
    services = {s["id"]: s for s in data_inclusion.services()}
    _validate(structures.values(), DIStructure)
    _validate(services.values(), DIService)

    row = structures["inclusion-numerique-poitiers--lieu-couronneries"]
    assert row["nom"] == "Médiathèque des Couronneries"  # no final full stop
    assert row["reseaux_porteurs"] == ["aidants-connect", "communes", "conseillers-numeriques"]
    assert row["courriel"] == "accueil@mediatheques-poitiers.fr"
    assert row["accessibilite_lieu"] == "https://acceslibre.beta.gouv.fr/app/erp/1/"
    assert "Lieu archivé" not in {s["nom"] for s in structures.values()}

    of_lieu = [s for s in services.values() if s["structure_id"] == row["id"]]
    assert len(of_lieu) == 2
    demarches = next(s for s in of_lieu if s["nom"] == Service.DEMARCHES)
    assert demarches["thematiques"] == ["numerique--acceder-a-des-services-en-ligne"]
    assert demarches["type"] == "accompagnement"
    assert demarches["publics"] == ["femmes", "seniors"]
    assert (demarches["frais"], demarches["frais_precisions"]) == (
        "gratuit",
        "Gratuit sous condition",
    )
    assert demarches["modes_accueil"] == ["en-presentiel", "a-distance"]
    assert demarches["modes_mobilisation"] == ["telephoner", "utiliser-lien-mobilisation"]
    assert demarches["lien_mobilisation"] == "https://rdv.exemple.test/"
    assert demarches["zone_eligibilite"] == ["86194"]
    materiel = next(s for s in of_lieu if s["nom"] == Service.MATERIEL_SOLIDAIRE)
    assert materiel["type"] == "aide-materielle"
    assert materiel["thematiques"] == ["numerique--acquerir-un-equipement"]


def test_a_lieu_without_publics_or_fees_says_tous_publics_and_nothing_about_fees():
    LieuFactory(identifiant="lieu-simple", services=[Service.OUTILS_QUOTIDIEN])
    (service,) = [s for s in data_inclusion.services() if "lieu-simple" in s["id"]]
    assert service["publics"] == ["tous-publics"]
    assert service["frais"] is None
    DIService.model_validate(service)


def test_a_partner_structure_and_its_services_validate():
    structure = StructureFactory(
        nom="Centre social des Trois Cités",
        pivot="W861234567",  # an RNA number: no SIRET to publish
        typologies=["CSC", "CCAS"],
        services=[Service.PARENTALITE],
        publics=[Public.FAMILLES],
        telephone="+33549112233",
    )
    row = next(s for s in data_inclusion.structures() if s["nom"] == structure.nom)
    assert row["siret"] is None
    assert row["reseaux_porteurs"] == ["ccas-cias"]
    DIStructure.model_validate(row)
    (service,) = [s for s in data_inclusion.services() if s["structure_id"] == row["id"]]
    assert service["publics"] == ["familles"]
    DIService.model_validate(service)


def test_the_files_are_open_data_served_to_anyone_with_flat_queries(
    client, django_assert_max_num_queries
):
    for _n in range(3):
        LieuFactory(services=[Service.DEMARCHES, Service.LOISIRS])
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/data-inclusion/structures.json")
    assert response.status_code == 200
    few = len(response.json())
    for _n in range(10):
        LieuFactory(services=[Service.DEMARCHES])
    with django_assert_max_num_queries(8):
        structures = client.get("/api/v1/data-inclusion/structures.json")
        services = client.get("/api/v1/data-inclusion/services.json")
    assert len(structures.json()) > few
    assert structures["Access-Control-Allow-Origin"] == "*"
    _validate(services.json(), DIService)
