"""Writing the Coop's activities, from its file or its API: lieux, médiations, permanences, audit."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from poitiers_inclusion.models import AuditEvent

from ..enums import TypeLieu
from ..models import Mediation
from ..services import permanences_for
from .columns import DEFAULT_SOURCE
from .lieux import LieuIndex
from .reading import CoopRow


def audit_events(actor, action: str, objects, changes: dict) -> list[AuditEvent]:
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return [
        AuditEvent(
            actor=actor,
            action=action,
            target_type=content_type,
            target_id=str(obj.pk),
            changes=changes,
        )
        for obj in objects
    ]


def lock_imports():
    """Serialise Coop imports (transaction-scoped advisory lock) so that ID CRA checks hold."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x0C00B])


def mediation_from_row(row: CoopRow, conseiller, lieux: LieuIndex) -> Mediation:
    return Mediation(
        date=row.date,
        conseiller=conseiller,
        type_activite=row.type_activite,
        type_lieu=row.type_lieu,
        lieu=lieux.find(row.lieu),
        duree_minutes=row.duree_minutes,
        thematiques=row.thematiques,
        thematiques_demarche=row.thematiques_demarche,
        nom_demarche=row.nom_demarche,
        materiel=row.materiel,
        autonomie=row.autonomie,
        titre_atelier=row.titre_atelier,
        niveau_atelier=row.niveau_atelier,
        redirige=row.redirige,
        structure_redirection=row.structure_redirection,
        satisfaction=row.satisfaction,
        source_connaissance=row.source_connaissance,
        premiere_visite=row.premiere_visite,
        notes=row.notes,
        tags=row.tags,
        coop_id=row.coop_id,
        source_donnee=row.source or DEFAULT_SOURCE,
    )


def link_permanences(mediations: list[Mediation], slots: dict | None = None) -> None:
    """Give each activity at a lieu d'activité the drop-in slot in force there that day, as the
    log form does (`permanence_for`, asked for all of them at once: the conseiller's own slot
    first; `slots` when the caller asked already). The file has no time of day, only the date,
    so two slots of the same day are told apart by conseiller only."""
    at_lieu = [m for m in mediations if m.type_lieu == TypeLieu.LIEU_ACTIVITE and m.lieu_id]
    if slots is None:
        slots = permanences_for((m.lieu_id, m.date, m.conseiller_id) for m in at_lieu)
    for mediation in at_lieu:
        mediation.permanence = slots[mediation.lieu_id, mediation.date, mediation.conseiller_id]
