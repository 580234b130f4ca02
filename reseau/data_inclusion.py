"""The partner network as data·inclusion publishes it: structures and their digital services.

data·inclusion (https://data.inclusion.gouv.fr) is the national directory of inclusion
services. Its schema v1 is published as the Python package `data-inclusion-schema` (pydantic
models `Structure` and `Service`); the tests validate every row of this export with them.

What is exported, and why that way:
- a data·inclusion *structure* for each active partner structure of the referential, and one
  for each active lieu: a lieu is a place that receives the public (address, hours,
  accessibility), which is what a data·inclusion structure describes; the national
  "lieux de médiation numérique" are published the same way;
- a data·inclusion *service* for each digital service a lieu or a structure offers (the national
  places standard's `services` column), attached to that lieu's or structure's row.

The mapping tables below are the only place where our vocabularies meet data·inclusion's.
Sources: data-inclusion-schema 1.0.10, `data_inclusion/schema/v1/` (thematiques.py, publics.py,
frais.py, modes_accueil.py, modes_mobilisation.py, reseaux_porteurs.py, types_de_services.py),
and the national places standard v1.0.2 (schema.json) for our side.
"""

import functools
import re

from django.conf import settings
from django.urls import reverse

from poitiers_inclusion import phones
from poitiers_inclusion.text import fold

from .enums import Dispositif, Frais, ModaliteAcces, ModaliteAccompagnement, Public, Service
from .models import Lieu, Structure

SCHEMA_VERSION = "1"

# Our services (national places standard) → data·inclusion thématiques.
THEMATIQUES = {
    Service.DEMARCHES: ["numerique--acceder-a-des-services-en-ligne"],
    Service.OUTILS_QUOTIDIEN: ["numerique--maitriser-les-fondamentaux-du-numerique"],
    Service.INSERTION_PRO: [
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "numerique--acceder-a-des-services-en-ligne",
    ],
    Service.SECURITE: ["numerique--maitriser-les-fondamentaux-du-numerique"],
    Service.PARENTALITE: ["numerique--maitriser-les-fondamentaux-du-numerique"],
    Service.LOISIRS: ["numerique--maitriser-les-fondamentaux-du-numerique"],
    Service.COMPREHENSION: ["numerique--maitriser-les-fondamentaux-du-numerique"],
    Service.ACCES_INTERNET: [
        "numerique--acceder-a-une-connexion-internet",
        "numerique--acquerir-un-equipement",
    ],
    Service.MATERIEL_SOLIDAIRE: ["numerique--acquerir-un-equipement"],
}

# A service that lends or sells equipment is material help; the others accompany people,
# collectively when the lieu says it works in workshops only.
MATERIAL_SERVICES = {Service.MATERIEL_SOLIDAIRE}

PUBLICS = {
    Public.JEUNES: "jeunes",
    Public.ETUDIANTS: "etudiants",
    Public.FAMILLES: "familles",
    Public.SENIORS: "seniors",
    Public.FEMMES: "femmes",
}
TOUS_PUBLICS = "tous-publics"

# data·inclusion v1 knows only free or paid; "free under conditions" is free, with the
# condition said in `frais_precisions`.
FRAIS = {
    Frais.GRATUIT: "gratuit",
    Frais.GRATUIT_SOUS_CONDITION: "gratuit",
    Frais.PAYANT: "payant",
}

MODES_MOBILISATION = {
    ModaliteAcces.SE_PRESENTER: "se-presenter",
    ModaliteAcces.TELEPHONER: "telephoner",
    ModaliteAcces.MAIL: "envoyer-un-courriel",
    ModaliteAcces.RDV_EN_LIGNE: "utiliser-lien-mobilisation",
    ModaliteAcces.PRESCRIPTION: "envoyer-un-courriel",
}

# National programmes and typologies → data·inclusion's carrying networks.
RESEAUX_PAR_DISPOSITIF = {
    Dispositif.AIDANTS_CONNECT: "aidants-connect",
    Dispositif.CONUM: "conseillers-numeriques",
    Dispositif.EMMAUS: "emmaus",
    Dispositif.RELAIS: "emmaus",
    Dispositif.FRANCE_SERVICES: "france-service",
    Dispositif.GEN: "grandes-ecoles-du-numerique",
    Dispositif.CROIX_ROUGE: "croix-rouge",
    Dispositif.CAF: "caf",
}
RESEAUX_PAR_TYPOLOGIE = {
    "MUNI": "communes",
    "CCAS": "ccas-cias",
    "CIAS": "ccas-cias",
    "EPN": "espaces-publics-numeriques",
    "MJC": "mjc",
    "ML": "mission-locale",
    "FT": "france-travail",
    "PE": "france-travail",
    "CAF": "caf",
    "CPAM": "cpam",
    "MSA": "mutualite-sociale-agricole",
    "MSAP": "france-service",
    "RFS": "france-service",
    "CD": "departements",
    "DEPT": "departements",
    "REG": "regions",
    "LA_POSTE": "la-poste",
    "CIDFF": "cidff",
    "CHRS": "chrs",
    "CHU": "chu",
    "CADA": "cada",
    "HUDA": "huda",
    "CPH": "cph",
    "ACI": "aci",
    "EI": "ei",
    "ETTI": "etti",
    "EITI": "eiti",
    "AI": "ai",
    "EA": "ea",
    "EATT": "eatt",
    "GEIQ": "geiq",
    "PLIE": "plie",
    "MDE": "maisons-de-l-emploi",
    "MDEF": "maisons-de-l-emploi",
    "MDPH": "mdph",
    "MDS": "maisons-des-solidarites",
    "PIJ_BIJ": "reseau-information-jeunesse",
    "RESSOURCERIE": "ressourceries",
    "PIMMS": "pimms-mediation",
    "E2C": "ecoles-de-la-deuxieme-chance",
    "EPIDE": "epide",
    "AFPA": "afpa",
    "CAP_EMPLOI": "cap-emploi-reseau-cheops",
    "SPIP": "spip",
    "PJJ": "pjj",
    "CMS": "cms",
    "CMP": "cmp",
    "CSAPA": "csapa",
    "CAARUD": "caarud",
    "RS_FJT": "residences-fjt",
    "UDAF": "unaf",
    "FABLAB": "fabrique-de-territoire",
}

_SIRET = re.compile(r"^\d{14}$")


def source() -> str:
    """Who produced the data, as data·inclusion identifies producers (DATA_INCLUSION_SOURCE)."""
    return settings.DATA_INCLUSION_SOURCE


def structure_id_of(structure: Structure) -> str:
    return f"{source()}--structure-{structure.pk}"


def lieu_id_of(lieu: Lieu) -> str:
    return f"{source()}--{lieu.identifiant}"


def _or_none(value):
    return value if value not in ("", [], None) else None


def _siret(pivot: str):
    return pivot if _SIRET.match(pivot or "") else None


def _phone(value: str):
    """E.164, or nothing for an old value that is no number."""
    return phones.normalise(value)


def _name(value: str) -> str:
    """data·inclusion names are 3 to 150 characters and do not end with a full stop."""
    name = value.strip().rstrip(".").strip()
    return name[:150]


def _description(*texts: str):
    for text in texts:
        text = (text or "").strip()
        if len(text) >= 5:
            return text[:10000]
    return None


def _reseaux(typologies, dispositifs=()) -> list[str] | None:
    found = {RESEAUX_PAR_DISPOSITIF[d] for d in dispositifs if d in RESEAUX_PAR_DISPOSITIF}
    found |= {RESEAUX_PAR_TYPOLOGIE[t] for t in typologies if t in RESEAUX_PAR_TYPOLOGIE}
    return sorted(found) or None


@functools.cache
def _path(name: str) -> str:
    """A page's path: the same for each of the export's thousands of rows."""
    return reverse(name)


def _public_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + (reverse(name, kwargs=kwargs) if kwargs else _path(name))


# --- Structures ----------------------------------------------------------------------------


def partner_structures():
    return Structure.objects.active().order_by("nom", "pk")


def lieux():
    return Lieu.objects.published().order_by("nom", "pk")


def structure_row(structure: Structure) -> dict:
    return {
        "source": source(),
        "id": structure_id_of(structure),
        "nom": _name(structure.nom),
        "date_maj": structure.updated_at.date().isoformat(),
        "description": _description(structure.presentation),
        "siret": _siret(structure.pivot),
        "commune": _or_none(structure.commune),
        "code_postal": _or_none(structure.code_postal),
        "adresse": _or_none(structure.adresse),
        "telephone": _phone(structure.telephone),
        "courriel": _or_none(structure.courriel),
        "site_web": _or_none(structure.site_web),
        "horaires_accueil": _or_none(structure.horaires),
        "reseaux_porteurs": _reseaux(structure.typologies),
    }


def lieu_structure_row(lieu: Lieu) -> dict:
    return {
        "source": source(),
        "id": lieu_id_of(lieu),
        "nom": _name(lieu.nom),
        "date_maj": lieu.date_maj.isoformat(),
        "description": _description(lieu.presentation_detail, lieu.presentation_resume),
        "lien_source": _public_url("reseau:carte"),
        "siret": _siret(lieu.pivot),
        "commune": lieu.commune,
        "code_postal": lieu.code_postal,
        "code_insee": _or_none(lieu.code_insee),
        "adresse": lieu.adresse,
        "complement_adresse": _or_none(lieu.complement_adresse),
        "latitude": lieu.latitude,
        "longitude": lieu.longitude,
        "telephone": _phone(lieu.telephone),
        "courriel": lieu.courriels[0] if lieu.courriels else None,
        "site_web": lieu.site_web[0] if lieu.site_web else None,
        "horaires_accueil": _or_none(lieu.horaires),
        "accessibilite_lieu": _or_none(lieu.fiche_acces_libre),
        "reseaux_porteurs": _reseaux(lieu.typologie, lieu.dispositif_programmes_nationaux),
    }


def structures() -> list[dict]:
    rows = [structure_row(s) for s in partner_structures()]
    rows += [lieu_structure_row(lieu) for lieu in lieux()]
    return rows


# --- Services ------------------------------------------------------------------------------


def _publics(values) -> list[str]:
    mapped = sorted({PUBLICS[v] for v in values if v in PUBLICS})
    return mapped or [TOUS_PUBLICS]


def _frais(values) -> tuple[str | None, str | None]:
    """(code, précisions): paid if anything is paid, else free; "sous condition" said aloud."""
    codes = {FRAIS[v] for v in values if v in FRAIS}
    if not codes:
        return None, None
    code = "payant" if "payant" in codes else "gratuit"
    precisions = (
        str(Frais.GRATUIT_SOUS_CONDITION) if Frais.GRATUIT_SOUS_CONDITION in values else None
    )
    return code, precisions


def _type(service: str, accompagnement) -> str:
    if service in MATERIAL_SERVICES:
        return "aide-materielle"
    if accompagnement and set(accompagnement) == {ModaliteAccompagnement.ATELIER}:
        return "atelier"
    return "accompagnement"


def _service_description(label: str, place: str, extra: str) -> str:
    text = f"{label} : accompagnement proposé à {place}."
    return f"{text} {extra.strip()}" if (extra or "").strip() else text


def _service_row(service, *, owner_id: str, place: str, extra: str, date_maj, **fields) -> dict:
    """The fields every digital service has, whoever offers it; `fields` adds the rest."""
    return {
        "source": source(),
        "structure_id": owner_id,
        "id": f"{owner_id}--{_slug(service)}",
        "nom": _name(str(service)),
        "description": _service_description(str(service), place, extra),
        "date_maj": date_maj.isoformat(),
        "thematiques": THEMATIQUES.get(service, []) or None,
        **fields,
    }


def lieu_service_rows(lieu: Lieu) -> list[dict]:
    frais, frais_precisions = _frais(lieu.frais_a_charge)
    modes_accueil = ["en-presentiel"]
    if ModaliteAccompagnement.DISTANCE in lieu.modalites_accompagnement:
        modes_accueil.append("a-distance")
    mobilisation = sorted(
        {MODES_MOBILISATION[m] for m in lieu.modalites_acces if m in MODES_MOBILISATION}
    )
    if "utiliser-lien-mobilisation" in mobilisation and not lieu.prise_rdv:
        mobilisation.remove("utiliser-lien-mobilisation")
    mobilisable_par = ["usagers"]
    if ModaliteAcces.PRESCRIPTION in lieu.modalites_acces:
        mobilisable_par.append("professionnels")
    return [
        _service_row(
            service,
            owner_id=lieu_id_of(lieu),
            place=lieu.nom,
            extra=lieu.presentation_resume,
            date_maj=lieu.date_maj,
            lien_source=_public_url("reseau:carte"),
            type=_type(service, lieu.modalites_accompagnement),
            frais=frais,
            frais_precisions=frais_precisions,
            publics=_publics(lieu.publics_specifiquement_adresses),
            commune=lieu.commune,
            code_postal=lieu.code_postal,
            code_insee=_or_none(lieu.code_insee),
            adresse=lieu.adresse,
            complement_adresse=_or_none(lieu.complement_adresse),
            latitude=lieu.latitude,
            longitude=lieu.longitude,
            telephone=_phone(lieu.telephone),
            courriel=lieu.courriels[0] if lieu.courriels else None,
            modes_accueil=modes_accueil,
            zone_eligibilite=[lieu.code_insee] if lieu.code_insee else None,
            lien_mobilisation=_or_none(lieu.prise_rdv),
            modes_mobilisation=mobilisation or None,
            mobilisable_par=mobilisable_par,
            horaires_accueil=_or_none(lieu.horaires),
        )
        for service in lieu.services
    ]


def structure_service_rows(structure: Structure) -> list[dict]:
    return [
        _service_row(
            service,
            owner_id=structure_id_of(structure),
            place=structure.nom,
            extra=structure.presentation,
            date_maj=structure.updated_at.date(),
            type=_type(service, ()),
            publics=_publics(structure.publics),
            commune=_or_none(structure.commune),
            code_postal=_or_none(structure.code_postal),
            adresse=_or_none(structure.adresse),
            telephone=_phone(structure.telephone),
            courriel=_or_none(structure.courriel),
            modes_accueil=["en-presentiel"],
            mobilisable_par=["usagers", "professionnels"],
            horaires_accueil=_or_none(structure.horaires),
        )
        for service in structure.services
    ]


def services() -> list[dict]:
    rows = []
    for structure in partner_structures():
        rows += structure_service_rows(structure)
    for lieu in lieux():
        rows += lieu_service_rows(lieu)
    return rows


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=256)  # a handful of services, on each of thousands of rows
def _slug(service: str) -> str:
    return _SLUG_DROP.sub("-", fold(str(service))).strip("-")
