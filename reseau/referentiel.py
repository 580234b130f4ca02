"""Changes to the referential that reach beyond one record: confirming or merging a lieu an import
created, and what archiving a structure, a lieu or a contact affects.

These read the records of the other apps through the relations Django knows (`related_objects`),
never by importing those apps: réseau sits below them.
"""

from django.db import transaction

from poitiers_inclusion.audit import audited_delete, audited_save, log_event
from poitiers_inclusion.errors import ServiceError

from .models import Lieu


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
