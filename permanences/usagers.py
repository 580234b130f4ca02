"""Services on the people helped: merge two records, export what is held on one, anonymise.

Each write runs in one transaction with its audit event. The retention job
(`manage.py anonymise_usagers`) uses `inactive_identified` and `anonymise_usager`.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from poitiers_inclusion import usager_records
from poitiers_inclusion.audit import log_event
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.errors import ServiceError
from poitiers_inclusion.models import AuditEvent, Usager

from .enums import (
    Autonomie,
    Materiel,
    NiveauAtelier,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
)
from .models import Accompagnement, Mediation

NOT_GIVEN = {Genre.NON_COMMUNIQUE, TrancheAge.NON_COMMUNIQUE, StatutSocial.NON_COMMUNIQUE, ""}
IDENTITY_FIELDS = ("first_name", "last_name", "phone", "email", "birth_year")
PLACE_FIELDS = ("quartier_id", "commune", "code_postal", "code_insee")
PROFILE_FIELDS = ("genre", "tranche_age", "statut_social")


class MergeError(ServiceError):
    """Two records that cannot be merged (the same one, or an anonymised one)."""


def history(usager, *, mediations=None):
    """The accompagnements of a usager, newest first (limited to the given activities if any)."""
    qs = Accompagnement.objects.filter(usager=usager)
    if mediations is not None:
        qs = qs.filter(mediation__in=mediations)
    return qs.select_related("mediation__lieu", "mediation__conseiller").order_by(
        "-mediation__date", "-mediation__pk"
    )


def _richness(usager) -> int:
    return sum(1 for name in IDENTITY_FIELDS if getattr(usager, name) not in ("", None))


def merge_preview(kept: Usager, other: Usager) -> dict:
    """The values the kept record will hold after the merge (the richer identity wins)."""
    primary, secondary = (other, kept) if _richness(other) > _richness(kept) else (kept, other)
    values = {}
    for name in IDENTITY_FIELDS + PLACE_FIELDS:
        mine = getattr(primary, name)
        values[name] = mine if mine not in ("", None) else getattr(secondary, name)
    for name in PROFILE_FIELDS:
        mine = getattr(primary, name)
        values[name] = mine if mine not in NOT_GIVEN else getattr(secondary, name)
    consents = [u.consent_at for u in (kept, other) if u.consent_at]
    values["consent_at"] = min(consents) if consents else None
    seen = [u.last_seen_on for u in (kept, other) if u.last_seen_on]
    values["last_seen_on"] = max(seen) if seen else None
    return values


@transaction.atomic
def merge_usagers(*, kept: Usager, other: Usager, actor) -> Usager:
    """Fold `other` into `kept`: its accompagnements, identity gaps, conseillers; then mark it."""
    if kept.pk == other.pk:
        raise MergeError("Une fiche ne peut pas être fusionnée avec elle-même.")
    locked = {
        u.pk: u for u in Usager.objects.select_for_update().filter(pk__in=[kept.pk, other.pk])
    }
    kept, other = locked[kept.pk], locked[other.pk]
    if kept.anonymised_at or other.anonymised_at:
        raise MergeError("Une fiche anonymisée ne peut plus être fusionnée.")
    if kept.merged_into_id or other.merged_into_id:
        raise MergeError("Cette fiche a déjà été fusionnée dans une autre.")

    values = merge_preview(kept, other)
    taken = [
        name.removesuffix("_id")
        for name, value in values.items()
        if getattr(kept, name) != value and name not in ("last_seen_on",)
    ]

    # One accompagnement per (activity, usager): where both records were in the same activity,
    # the other's line is a duplicate of the same person and goes.
    shared = Accompagnement.objects.filter(
        usager=other, mediation__accompagnements__usager=kept
    ).values_list("pk", flat=True)
    duplicates = Accompagnement.objects.filter(pk__in=list(shared))
    removed = duplicates.count()
    duplicates.delete()
    moved = Accompagnement.objects.filter(usager=other).update(usager=kept)
    # What the other apps hold on the person follows them, each app deciding for its own rows.
    elsewhere = usager_records.merge(kept=kept, other=other, actor=actor)
    Usager.objects.filter(merged_into=other).update(merged_into=kept)
    kept.conseillers.add(*other.conseillers.all())

    # Empty the other record before filling the kept one (no identity twice, even for a moment).
    other.anonymise()
    other.anonymised_at = None  # not an anonymisation on request: a merged record
    other.merged_into = kept
    other.save()
    for name, value in values.items():
        setattr(kept, name, value)
    kept.save()
    log_event(
        actor=actor,
        action="kernel.usager.merged",
        target=kept,
        changes={
            "merged": other.pk,
            "fields": taken,
            "accompagnements_moved": moved,
            "duplicates_removed": removed,
            **elsewhere,
        },
    )
    log_event(
        actor=actor, action="kernel.usager.merged_into", target=other, changes={"into": kept.pk}
    )
    return kept


@transaction.atomic
def anonymise_usager(*, usager: Usager, actor, reason: str) -> Usager | None:
    """Empty the personal fields, keep the statistical ones; record who did it and why.

    None when the person was anonymised already (by a run of the retention job at the same time,
    a colleague's click): nothing more to do, nothing more to record."""
    usager = Usager.objects.select_for_update().get(pk=usager.pk)
    if usager.anonymised_at is not None:
        return None
    emptied = [name for name in Usager.PERSONAL_FIELDS if getattr(usager, name) not in ("", None)]
    usager.anonymise()
    usager.save()
    log_event(
        actor=actor,
        action="kernel.usager.anonymised",
        target=usager,
        changes={"reason": reason, "fields": emptied},
    )
    return usager


@transaction.atomic
def delete_usager(*, usager: Usager, actor) -> dict[str, int]:
    """Erase a person on request (RGPD right to erasure): their record, the records merged into
    it, their participations; an activity left with nobody is deleted with them. The figures
    drop accordingly. The audit log keeps numbers only, no personal data."""
    person = Usager.objects.select_for_update().get(pk=usager.pk)
    records = [person.pk, *Usager.objects.filter(merged_into=person).values_list("pk", flat=True)]
    participations = Accompagnement.objects.filter(usager_id__in=records)
    touched = set(participations.values_list("mediation_id", flat=True))
    removed = participations.count()
    participations.delete()
    emptied = Mediation.objects.filter(pk__in=touched, accompagnements__isnull=True)
    mediations = emptied.count()
    emptied.delete()
    log_event(
        actor=actor,
        action="kernel.usager.deleted",
        target=person,
        changes={"accompagnements": removed, "mediations": mediations, "fiches": len(records)},
    )
    Usager.objects.filter(merged_into=person).delete()
    person.delete()
    return {"accompagnements": removed, "mediations": mediations}


def inactive_identified(*, before: datetime.date):
    """Identified usagers whose last visit (or, failing that, their record's creation) is older."""
    return (
        Usager.objects.identified()
        .filter(merged_into__isnull=True)
        .annotate(
            last_activity=Greatest(
                "last_seen_on",
                Max("accompagnements__mediation__date"),
                TruncDate("created_at"),
            )
        )
        .filter(last_activity__lt=before)
        .order_by("last_activity", "pk")
    )


# --- What is held on one person (right of access) ---

ACTION_LABELS = {
    "kernel.usager.created": "Création de la fiche",
    "kernel.usager.updated": "Modification de la fiche",
    "kernel.usager.viewed": "Consultation de la fiche",
    "kernel.usager.exported": "Export des données",
    "kernel.usager.merged": "Fusion d’une fiche en double",
    "kernel.usager.merged_into": "Fiche fusionnée dans une autre",
    "kernel.usager.anonymised": "Anonymisation",
}


def _labels(enum, codes) -> list[str]:
    choices = dict(enum.choices)
    return [choices.get(code, code) for code in codes]


def _label(enum, code) -> str:
    return dict(enum.choices).get(code, code) if code else ""


def usager_data(usager: Usager) -> dict:
    """Everything the application holds on one person, for a download or a printed page."""
    accompagnements = []
    for acc in history(usager):
        m = acc.mediation
        accompagnements.append(
            {
                "date": m.date.isoformat(),
                "type": m.get_type_activite_display(),
                "canal": m.get_type_lieu_display(),
                "lieu": m.lieu.nom if m.lieu else "",
                "conseiller": str(m.conseiller),
                "duree_minutes": m.duree_minutes,
                "thematiques": _labels(Thematique, m.thematiques),
                "demarches": _labels(ThematiqueDemarche, m.thematiques_demarche),
                "nom_demarche": m.nom_demarche,
                "materiel": _labels(Materiel, m.materiel),
                "autonomie": _label(Autonomie, m.autonomie),
                "atelier": m.titre_atelier,
                "niveau_atelier": _label(NiveauAtelier, m.niveau_atelier),
                "reoriente": m.redirige,
                "structure_redirection": _label(StructureRedirection, m.structure_redirection),
                "satisfaction": m.get_satisfaction_display() if m.satisfaction else "",
                "source_connaissance": m.get_source_connaissance_display()
                if m.source_connaissance
                else "",
                "premiere_visite": m.premiere_visite,
                "notes": m.notes,
                "tags": list(m.tags),
                "id_cra": m.coop_id or "",
            }
        )
    journal = [
        {
            "date": event.at.isoformat(),
            "action": ACTION_LABELS.get(event.action, event.action),
            "par": str(event.actor) if event.actor else "système",
        }
        for event in AuditEvent.objects.for_object(usager).select_related("actor").order_by("at")
    ]
    return {
        "exporte_le": timezone.now().isoformat(),
        "usager": {
            "numero": usager.pk,
            "identifie": usager.is_identified,
            "prenom": usager.first_name,
            "nom": usager.last_name,
            "telephone": usager.phone,
            "email": usager.email,
            "annee_de_naissance": usager.birth_year,
            "consentement_le": usager.consent_at.isoformat() if usager.consent_at else None,
            "genre": usager.get_genre_display(),
            "tranche_age": usager.get_age_band_display(),
            "statut_social": usager.get_statut_social_display(),
            "quartier": str(usager.quartier) if usager.quartier else "",
            "commune": usager.commune,
            "code_postal": usager.code_postal,
            "code_insee": usager.code_insee,
            "cree_le": usager.created_at.isoformat(),
            "derniere_venue": usager.last_seen_on.isoformat() if usager.last_seen_on else None,
            "anonymise_le": usager.anonymised_at.isoformat() if usager.anonymised_at else None,
            "fiches_fusionnees": sorted(usager.merged_from.values_list("pk", flat=True)),
        },
        "conseillers": [str(c) for c in usager.conseillers.order_by("last_name", "first_name")],
        "accompagnements": accompagnements,
        # What the other apps hold on the person (workshops…), each under its own key.
        **usager_records.export_for(usager),
        "journal": journal,
    }
