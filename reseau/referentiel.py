"""Changes to the referential that reach beyond one record: confirming or merging a lieu an import
created, and what archiving a structure, a lieu or a contact affects.

These read the records of the other apps through the relations Django knows (`related_objects`),
never by importing those apps: réseau sits below them.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from poitiers_inclusion.audit import audited_delete, audited_save, log_event
from poitiers_inclusion.errors import ServiceError
from poitiers_inclusion.models import User

from .enums import EtatOrientation
from .models import Invitation, Lieu, Orientation


@transaction.atomic
def confirm_lieu(*, lieu: Lieu, actor) -> Lieu:
    """A coordinator says the lieu an import created is a real, new one: it is published."""
    lieu.awaiting_confirmation = False
    lieu.suggested_match = None
    return audited_save(lieu, actor=actor)


@transaction.atomic
def merge_lieu(*, lieu: Lieu, into: Lieu, actor) -> int:
    """The lieu an import created is `into` under another name: every record that names it (the
    médiations, permanences, sessions… of any app) names `into`, which keeps its name as an
    alias for the next imports, and it is deleted. Returns how many records moved."""
    lieu = Lieu.objects.select_for_update().get(pk=lieu.pk)
    if not lieu.awaiting_confirmation:
        raise ServiceError("Seul un lieu créé par un import, pas encore confirmé, se fusionne.")
    if into.pk == lieu.pk or into.awaiting_confirmation:
        raise ServiceError("Choisissez un lieu confirmé, autre que celui-ci.", field="into")
    moved = 0
    for relation in Lieu._meta.related_objects:
        if relation.many_to_many or relation.related_model is Lieu:
            continue
        name = relation.field.name
        moved += relation.related_model._base_manager.filter(**{name: lieu}).update(**{name: into})
    if lieu.nom not in into.aliases:
        into.aliases = [*into.aliases, lieu.nom]
        into.save(update_fields=["aliases"])
    log_event(
        actor=actor,
        action="reseau.lieu.merged",
        target=into,
        changes={"merged_id": lieu.pk, "moved": moved},
    )
    audited_delete(lieu, actor=actor)
    return moved


# --- What archiving affects ----------------------------------------------------------------------

# model name ("structure", "lieu", "contact") -> functions(obj, today) -> [(count, words)]: each
# app registers what it holds (permanences at a lieu, upcoming sessions…) in its AppConfig.ready.
_archive_effects: dict[str, list] = {}


def register_archive_effect(model_name: str, effect) -> None:
    _archive_effects.setdefault(model_name, []).append(effect)


def archive_effects(obj) -> list[str]:
    """What archiving `obj` touches, in sentences a coordinator reads before confirming
    ("2 permanences en place à ce lieu"); nothing counted zero."""
    today = timezone.localdate()
    lines = []
    for effect in _archive_effects.get(obj._meta.model_name, []):
        lines += [f"{count} {words}" for count, words in effect(obj, today) if count]
    return lines


def _plural(count: int, singular: str, plural: str) -> tuple[int, str]:
    return count, singular if count == 1 else plural


def _structure_effects(structure, today):
    open_orientations = Orientation.objects.filter(etat=EtatOrientation.OUVERTE).filter(
        Q(structure_origine=structure) | Q(structure_destination=structure)
    )
    return [
        _plural(
            User.objects.filter(structure=structure, is_active=True).count(),
            "compte actif de cette structure (ses prescripteurs n'auront plus de structure active)",
            "comptes actifs de cette structure (ses prescripteurs n'auront plus de structure "
            "active)",
        ),
        _plural(
            structure.lieux.filter(archived_at__isnull=True).count(),
            "lieu actif porté par la structure (il reste actif : archivez-le à part si besoin)",
            "lieux actifs portés par la structure (ils restent actifs : archivez-les à part si "
            "besoin)",
        ),
        _plural(
            structure.contacts.filter(archived_at__isnull=True).count(),
            "contact actif (il n'apparaîtra plus dans l'annuaire)",
            "contacts actifs (ils n'apparaîtront plus dans l'annuaire)",
        ),
        _plural(
            open_orientations.count(),
            "orientation ouverte (envoyée ou reçue) sans réponse",
            "orientations ouvertes (envoyées ou reçues) sans réponse",
        ),
    ]


def _lieu_effects(lieu, today):
    return [
        (1, "lieu retiré de la carte publique et de l'export national des lieux")
        if not lieu.awaiting_confirmation
        else (0, "")
    ]


def _contact_effects(contact, today):
    return [
        _plural(
            Invitation.objects.filter(contact=contact, reunion__date__gte=timezone.now()).count(),
            "invitation à une réunion à venir",
            "invitations à des réunions à venir",
        ),
        (1, "contact retiré de l'annuaire et des envois du réseau"),
    ]


register_archive_effect("structure", _structure_effects)
register_archive_effect("lieu", _lieu_effects)
register_archive_effect("contact", _contact_effects)
