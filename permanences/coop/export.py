"""Writing activities in the Coop layout, with our own columns after it."""

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.exports import Sheet
from poitiers_inclusion.models import Usager

from ..enums import (
    Autonomie,
    Materiel,
    NiveauAtelier,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TypeActivite,
)
from ..models import Accompagnement
from .columns import (
    ANONYMOUS_LABEL,
    AUTONOMIE_LEVELS,
    COORDINATOR_COLUMNS,
    EXTRA_HEADERS,
    GENERATED_ID_PREFIX,
    HEADERS,
    NIVEAU_LEVELS,
    SHEET_NAME,
    USAGER_REF_PREFIX,
)

# --- Export ----------------------------------------------------------------------------------

# La Coop's layout, then the app's own columns (which La Coop ignores).
CONSEILLER_COLUMNS = [k for k in HEADERS if k not in COORDINATOR_COLUMNS] + list(EXTRA_HEADERS)
CITYWIDE_COLUMNS = list(HEADERS) + list(EXTRA_HEADERS)
EXPORT_HEADERS = {**HEADERS, **EXTRA_HEADERS}


def _label(enum, code) -> str:
    return enum(code).label if code else ""


def _labels_of(enum, codes) -> list[str]:
    return [enum(code).label for code in codes]


def _timestamp(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M")


def usager_ref(usager: Usager) -> str:
    """A stable reference to the person (after merges) that says nothing about them: it lets our
    import know that the rows of an anonymous usager seen several times are one person."""
    return f"{USAGER_REF_PREFIX}{usager.merged_into_id or usager.pk}"


def _export_row(acc: Accompagnement, keys: list[str]) -> list:
    m = acc.mediation
    u = acc.usager
    lieu = m.lieu
    collective = m.type_activite == TypeActivite.COLLECTIF
    level = ""
    if collective and m.niveau_atelier:
        level = f"{NIVEAU_LEVELS.index(NiveauAtelier(m.niveau_atelier)) + 1}/3"
    elif not collective and m.autonomie:
        level = f"{AUTONOMIE_LEVELS.index(Autonomie(m.autonomie)) + 1}/3"
    values = {
        "date": m.date,
        "enregistre_le": _timestamp(m.created_at),
        "modifie_le": _timestamp(m.updated_at),
        "prenom_mediateur": m.conseiller.first_name,
        "nom_mediateur": m.conseiller.last_name,
        "role": "Médiateur",
        "id_conum": "",
        "type": m.get_type_activite_display(),
        "participants": f"{acc.rank}/{acc.size}" if collective else 1,
        "beneficiaire": (u.full_name or f"Usager n°{u.pk}") if u.is_identified else ANONYMOUS_LABEL,
        "canal": m.get_type_lieu_display(),
        "lieu_nom": lieu.nom if lieu else "",
        "lieu_adresse": lieu.adresse if lieu else "",
        "lieu_commune": lieu.commune if lieu else "",
        "lieu_code_postal": lieu.code_postal if lieu else "",
        "lieu_code_insee": lieu.code_insee if lieu else "",
        "duree": m.duree_minutes,
        "atelier": m.titre_atelier,
        "materiel": _labels_of(Materiel, m.materiel),
        "thematiques": _labels_of(Thematique, m.thematiques)
        + _labels_of(ThematiqueDemarche, m.thematiques_demarche),
        "tags": list(m.tags),
        "demarche": m.nom_demarche,
        "niveau": level,
        "reoriente": "" if collective else ("Oui" if m.redirige else "Non"),
        "structure_redirection": _label(StructureRedirection, m.structure_redirection),
        "usager_commune": u.commune,
        "usager_code_postal": u.code_postal,
        "usager_code_insee": u.code_insee,
        "genre": _label(Genre, u.genre),
        "tranche_age": TrancheAge(u.age_band).label if u.age_band else "",
        "statut": _label(StatutSocial, u.statut_social),
        "notes": m.notes,
        "source": m.source_donnee,
        "coop_id": m.coop_id or f"{GENERATED_ID_PREFIX}{m.pk}",
        "satisfaction": _label(Satisfaction, m.satisfaction),
        "connu_par": _label(SourceConnaissance, m.source_connaissance),
        "premiere_visite": {True: "Oui", False: "Non"}.get(m.premiere_visite, ""),
        "quartier": u.quartier.nom if u.quartier_id else "",
        "usager_ref": usager_ref(u),
    }
    return [values[k] for k in keys]


def export_accompagnements(mediations):
    """The accompagnements of the given activities, with their rank i and count n in each."""
    return (
        Accompagnement.objects.filter(mediation__in=mediations)
        .select_related("mediation__lieu", "mediation__conseiller", "usager__quartier")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("mediation_id")], order_by=F("id").asc()),
            size=Window(Count("id"), partition_by=[F("mediation_id")]),
        )
        .order_by("mediation__date", "mediation_id", "id")
    )


def export_sheet(*, mediations, citywide: bool, exporter, filters: list[tuple[str, str]]) -> Sheet:
    """The `Activités` sheet in La Coop's layout, filters written in the metadata block."""
    keys = CITYWIDE_COLUMNS if citywide else CONSEILLER_COLUMNS
    accompagnements = export_accompagnements(mediations)
    preamble = [
        ["Informations export"],
        ["Nom", exporter.last_name],
        ["Prénom", exporter.first_name],
        ["Rôle", exporter.get_role_display()],
        ["Date d’export", timezone.localdate().strftime("%d/%m/%Y")],
        ["Nombre total", Accompagnement.objects.filter(mediation__in=mediations).count()],
        [],
        ["Filtres"],
        *[[label, value] for label, value in filters],
    ]
    rows = (_export_row(acc, keys) for acc in accompagnements.iterator(chunk_size=2000))
    return Sheet(
        title=SHEET_NAME, columns=[EXPORT_HEADERS[k] for k in keys], rows=rows, preamble=preamble
    )
