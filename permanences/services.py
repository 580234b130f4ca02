"""Writes of the médiation log: one activity report with the people helped in it, all or nothing.

`record_mediation` and `update_mediation` take the data of the log form already cleaned (see
`log_forms.LogForm.service_data`), so the import and the bench can call them the same way:

    activity: the Mediation's own fields (date, lieu, type_activite, duree_minutes, thematiques…)
    usager: an existing Usager helped individually, or None
    new_usager: identity of a person identified now (prénom, nom… and consent), or None
    profile: statistical fields of an anonymous person (genre, tranche_age, statut_social, quartier)
    participants: identified usagers of a collective activity
    anonymous: counts of anonymous participants {"total": n, "genre": {code: n}, ...}
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, Value
from django.utils import timezone

from poitiers_inclusion.audit import audited_bulk_create, audited_delete, audited_save
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager

from .enums import TypeActivite, TypeLieu
from .models import Accompagnement, Mediation, Permanence

ACTIVITY_FIELDS = (
    "date",
    "type_activite",
    "type_lieu",
    "lieu",
    "duree_minutes",
    "thematiques",
    "thematiques_demarche",
    "nom_demarche",
    "materiel",
    "autonomie",
    "titre_atelier",
    "niveau_atelier",
    "redirige",
    "structure_redirection",
    "satisfaction",
    "source_connaissance",
    "premiere_visite",
    "notes",
    "tags",
)

# Dimensions of the anonymous participants' counts, with the value given to those not counted.
DIMENSIONS = {
    "genre": Genre.NON_COMMUNIQUE.value,
    "tranche_age": TrancheAge.NON_COMMUNIQUE.value,
    "statut_social": StatutSocial.NON_COMMUNIQUE.value,
}


@dataclass
class LogData:
    activity: dict[str, Any]
    usager: Usager | None = None
    new_usager: dict[str, Any] | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    participants: list[Usager] = field(default_factory=list)
    anonymous: dict[str, Any] = field(default_factory=dict)


# Of two slots that fit, the earlier one (then the older record) wins, in both lookups below.
SLOT_ORDER = ("start_time", "pk")


def permanence_for(*, lieu, date, conseiller):
    """The drop-in slot of that lieu on that day, the conseiller's own first."""
    if lieu is None:
        return None
    slots = (
        Permanence.objects.active_on(date)
        .filter(lieu=lieu, weekday=date.weekday())
        .order_by(*SLOT_ORDER)
    )
    return slots.filter(conseillers=conseiller).first() or slots.first()


def permanences_for(keys) -> dict:
    """`permanence_for` of many (lieu id, date, conseiller id) at once, as {key: slot or None}:
    one query for the slots of their lieux over their period, the same rule applied in Python
    (an import of 100,000 activities asked once per lieu, day and conseiller)."""
    keys = set(keys)
    found = {key: None for key in keys if key[0] is None}
    keys -= set(found)
    if not keys:
        return found
    days = [day for _, day, _ in keys]
    slots = (
        Permanence.objects.filter(lieu_id__in={lieu for lieu, _, _ in keys})
        .filter(
            Q(valid_from__lte=max(days)),
            Q(valid_until__isnull=True) | Q(valid_until__gte=min(days)),
        )
        .annotate(conseiller_ids=ArrayAgg("conseillers__pk", default=Value([])))
        .order_by(*SLOT_ORDER)
    )
    by_lieu_and_weekday = defaultdict(list)
    for slot in slots:
        by_lieu_and_weekday[slot.lieu_id, slot.weekday].append(slot)
    for lieu, day, conseiller in keys:
        active = [
            slot
            for slot in by_lieu_and_weekday.get((lieu, day.weekday()), ())
            if slot.valid_from <= day and (slot.valid_until is None or slot.valid_until >= day)
        ]
        own = next((slot for slot in active if conseiller in slot.conseiller_ids), None)
        found[lieu, day, conseiller] = own or (active[0] if active else None)
    return found


def distribute(anonymous: dict) -> list[dict]:
    """One profile per anonymous participant, the dimensions spread to match the counts.

    `anonymous` = {"total": 5, "genre": {"feminin": 3, "masculin": 2}, ...}; the participants not
    counted in a dimension get its "non communiqué" value.
    """
    total = anonymous.get("total") or 0
    profiles = [{} for _ in range(total)]
    for dimension, unknown in DIMENSIONS.items():
        values = []
        for code, count in (anonymous.get(dimension) or {}).items():
            values += [code] * (count or 0)
        if len(values) > total:
            raise ValueError(f"Plus de participants comptés par {dimension} que de participants.")
        values += [unknown] * (total - len(values))
        for profile, value in zip(profiles, values, strict=True):
            profile[dimension] = value
    return profiles


def _apply_activity(mediation: Mediation, activity: dict, conseiller) -> None:
    for name in ACTIVITY_FIELDS:
        if name in activity:
            setattr(mediation, name, activity[name])
    if mediation.type_lieu != TypeLieu.LIEU_ACTIVITE and "lieu" not in activity:
        mediation.lieu = None
    mediation.permanence = (
        permanence_for(lieu=mediation.lieu, date=mediation.date, conseiller=conseiller)
        if mediation.type_lieu == TypeLieu.LIEU_ACTIVITE
        else None
    )


def _new_identified(data: dict, profile: dict, actor) -> Usager:
    usager = Usager(
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        birth_year=data.get("birth_year"),
        consent_at=timezone.now(),
        **_profile_fields(profile),
    )
    return audited_save(usager, actor=actor)


def _profile_fields(profile: dict) -> dict:
    fields = {k: v for k, v in profile.items() if k in DIMENSIONS and v}
    if profile.get("quartier") is not None:
        fields["quartier"] = profile["quartier"]
    return fields


def _usagers_for(mediation: Mediation, data: LogData, actor) -> list[Usager]:
    """The people helped: existing ones as chosen, new ones created now."""
    if mediation.type_activite == TypeActivite.INDIVIDUEL:
        if data.usager is not None:
            return [data.usager]
        if data.new_usager:
            return [_new_identified(data.new_usager, data.profile, actor)]
        return audited_bulk_create([Usager(**_profile_fields(data.profile))], actor=actor)
    anonymous = audited_bulk_create(
        [Usager(**profile) for profile in distribute(data.anonymous)], actor=actor
    )
    return list(dict.fromkeys(data.participants)) + anonymous


def _link(mediation: Mediation, usagers: list[Usager], conseiller) -> None:
    Accompagnement.objects.bulk_create(
        [Accompagnement(mediation=mediation, usager=u) for u in usagers], ignore_conflicts=True
    )
    through = Usager.conseillers.through
    through.objects.bulk_create(
        [through(usager_id=u.pk, user_id=conseiller.pk) for u in usagers], ignore_conflicts=True
    )
    # last_seen_on only moves forward (a report typed late must not pull it back).
    ids = [u.pk for u in usagers]
    Usager.objects.filter(
        Q(last_seen_on__isnull=True) | Q(last_seen_on__lt=mediation.date), pk__in=ids
    ).update(last_seen_on=mediation.date)


def record_mediation(
    *, conseiller, data: LogData, submission_token: uuid.UUID | None = None
) -> tuple[Mediation, bool]:
    """Create one activity report with its accompagnements; (mediation, created).

    The same submission token twice (a double click, a re-sent form) gives back the first report
    and creates nothing, even when both requests arrive at the same time: the unique constraint
    on the token decides, and the loser finds the winner's report.
    """
    existing = _already_recorded(submission_token)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mediation = Mediation(conseiller=conseiller, submission_token=submission_token)
            _apply_activity(mediation, data.activity, conseiller)
            audited_save(mediation, actor=conseiller)
            usagers = _usagers_for(mediation, data, conseiller)
            _link(mediation, usagers, conseiller)
    except IntegrityError:
        # Another request with the same token committed between the check and the insert.
        existing = Mediation.objects.filter(submission_token=submission_token).first()
        if submission_token and existing is not None:
            return existing, False
        raise
    return mediation, True


def _already_recorded(submission_token):
    if not submission_token:
        return None
    return Mediation.objects.filter(submission_token=submission_token).first()


def _current_anonymous(mediation: Mediation) -> list[Usager]:
    return list(
        Usager.objects.filter(accompagnements__mediation=mediation, consent_at__isnull=True)
    )


def anonymous_counts(usagers) -> dict:
    """The counts of the collective form from a list of anonymous usagers (for editing)."""
    counts = {"total": len(usagers)}
    for dimension, unknown in DIMENSIONS.items():
        per_value: dict[str, int] = {}
        for u in usagers:
            value = getattr(u, dimension)
            if value != unknown:
                per_value[value] = per_value.get(value, 0) + 1
        counts[dimension] = per_value
    return counts


def _drop_usagers(mediation: Mediation, usagers: list[Usager], actor) -> None:
    """Unlink people from a report; anonymous records made only for it are deleted."""
    Accompagnement.objects.filter(mediation=mediation, usager__in=usagers).delete()
    _delete_orphans(usagers, actor)


def _delete_orphans(usagers: list[Usager], actor) -> None:
    """Delete the anonymous records no activity refers to any more (audited)."""
    for usager in usagers:
        if usager.is_identified or usager.accompagnements.exists():
            continue
        try:
            with transaction.atomic():
                audited_delete(usager, actor=actor)
        except ProtectedError:
            pass  # still referenced elsewhere (a workshop, a booking): keep the record


@transaction.atomic
def update_mediation(*, mediation: Mediation, actor, data: LogData) -> Mediation:
    """Change a report and the people in it; anonymous people are updated in place when possible."""
    mediation = Mediation.objects.select_for_update().get(pk=mediation.pk)
    conseiller = mediation.conseiller
    _apply_activity(mediation, data.activity, conseiller)
    audited_save(mediation, actor=actor)

    current = list(Usager.objects.filter(accompagnements__mediation=mediation))
    anonymous_now = [u for u in current if not u.is_identified]
    identified_now = [u for u in current if u.is_identified]

    if mediation.type_activite == TypeActivite.INDIVIDUEL:
        if data.usager is None and not data.new_usager and len(anonymous_now) == 1:
            keep = anonymous_now[0]
            for name, value in _profile_fields(data.profile).items():
                setattr(keep, name, value)
            if data.profile.get("quartier") is None:
                keep.quartier = None
            audited_save(keep, actor=actor)
            _drop_usagers(mediation, [u for u in current if u != keep], actor)
            return mediation
        wanted = _usagers_for(mediation, data, actor)
    else:
        participants = list(dict.fromkeys(data.participants))
        if anonymous_counts(anonymous_now) == _normalised(data.anonymous):
            wanted = participants + anonymous_now
        else:
            wanted = participants + audited_bulk_create(
                [Usager(**p) for p in distribute(data.anonymous)], actor=actor
            )
    _drop_usagers(mediation, [u for u in anonymous_now + identified_now if u not in wanted], actor)
    _link(mediation, wanted, conseiller)
    return mediation


def _normalised(anonymous: dict) -> dict:
    counts = {"total": anonymous.get("total") or 0}
    for dimension in DIMENSIONS:
        counts[dimension] = {
            k: v
            for k, v in (anonymous.get(dimension) or {}).items()
            if v and k != DIMENSIONS[dimension]
        }
    return counts


@transaction.atomic
def delete_mediation(*, mediation: Mediation, actor) -> None:
    """Delete a report; anonymous people created for it alone go with it."""
    usagers = list(Usager.objects.filter(accompagnements__mediation=mediation))
    Accompagnement.objects.filter(mediation=mediation).delete()
    audited_delete(mediation, actor=actor)
    _delete_orphans(usagers, actor)
