"""The log form's starting values: today's defaults (the current permanence's lieu, the
conseiller's last duration), an existing report's values, what a POST typed."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.utils import timezone

from .enums import DURATION_PRESETS, OuiNon, TypeActivite, TypeLieu, UsagerMode
from .log_forms import COUNT_GROUPS, OTHER_DURATION
from .models import Mediation, Permanence
from .services import ACTIVITY_FIELDS, anonymous_counts


def default_initial(user, *, lieu_id=None, date=None, type_lieu=None) -> dict:
    """Sensible defaults: today, the current permanence's lieu, the conseiller's last duration."""
    initial = {
        "date": date or timezone.localdate(),
        "type_activite": TypeActivite.INDIVIDUEL,
        "type_lieu": type_lieu or TypeLieu.LIEU_ACTIVITE,
        "redirige": OuiNon.NON,
        "usager_mode": UsagerMode.ANONYME,
        "duree": "30",
    }
    if lieu_id:
        initial["lieu"] = lieu_id
    else:
        slot = Permanence.objects.current_slot(user)
        if slot is not None:
            initial["lieu"] = slot.lieu_id
    remembered = remembered_durations(user)
    initial["remembered_durations"] = remembered
    initial.update(remembered.get(initial["type_activite"], {}).get("initial", {}))
    return initial


DURATION_NOTES = {
    TypeActivite.INDIVIDUEL: "Durée reprise de votre dernier accompagnement individuel",
    TypeActivite.COLLECTIF: "Durée reprise de votre dernier atelier collectif",
}


def remembered_durations(user) -> dict:
    """The conseiller's last duration for each activity type, with the note that says so: a
    2-hour workshop must not pre-set the next individual help to 2 hours."""
    # One latest row per type, each read from the conseiller's index in date order (DISTINCT ON
    # over the whole history sorted every row: 0.8 s for a conseiller with 100,000 of them).
    latest = {
        kind: Mediation.objects.filter(conseiller=user, type_activite=kind)
        .order_by("-date", "-pk")
        .values("duree_minutes")[:1]
        for kind in TypeActivite.values
    }
    people = get_user_model().objects.filter(pk=user.pk)
    found = (
        people.annotate(**{f"last_{k}": Subquery(q) for k, q in latest.items()})
        .values(*(f"last_{kind}" for kind in latest))
        .first()
        or {}
    )
    last = [(kind, found.get(f"last_{kind}")) for kind in latest]
    last = [(kind, minutes) for kind, minutes in last if minutes is not None]
    return {
        kind: {"initial": _duration_initial(minutes), "note": DURATION_NOTES.get(kind, "")}
        for kind, minutes in last
    }


def _duration_initial(minutes: int) -> dict:
    if minutes in DURATION_PRESETS:
        return {"duree": str(minutes)}
    return {"duree": OTHER_DURATION, "duree_autre": minutes}


def initial_from_mediation(mediation: Mediation, *, duplicate=False) -> dict:
    """The form's values for an existing report (to edit it, or to start a copy of it)."""
    initial = {name: getattr(mediation, name) for name in ACTIVITY_FIELDS}
    initial["lieu"] = mediation.lieu_id
    initial["tags"] = ", ".join(mediation.tags)
    initial["redirige"] = OuiNon.of(mediation.redirige)
    initial["premiere_visite"] = OuiNon.of(mediation.premiere_visite)
    initial.update(_duration_initial(mediation.duree_minutes))
    usagers = list(mediation.accompagnements.select_related("usager").order_by("pk"))
    usagers = [a.usager for a in usagers]
    identified = [u for u in usagers if u.is_identified]
    anonymous = [u for u in usagers if not u.is_identified]
    initial["usager_mode"] = UsagerMode.ANONYME
    if mediation.type_activite == TypeActivite.COLLECTIF:
        initial["participants"] = [u.pk for u in identified]
        counts = anonymous_counts(anonymous)
        initial["anonymes_total"] = counts["total"]
        for dimension, prefix, _label, choices in COUNT_GROUPS:
            for code, _ in choices:
                initial[f"{prefix}_{code}"] = counts[dimension].get(code) or None
    elif not duplicate:
        if identified:
            initial.update(usager_mode=UsagerMode.EXISTANT, usager=identified[0].pk)
        elif anonymous:
            person = anonymous[0]
            initial.update(
                genre=person.genre,
                tranche_age=person.tranche_age,
                statut_social=person.statut_social,
                quartier=person.quartier_id,
            )
    if duplicate:
        initial["date"] = timezone.localdate()
    return initial


def initial_from_post(form_class, data, **kwargs) -> dict:
    """Typed values of a POST, as initial values (to show the form again without its errors)."""
    fields = form_class(**kwargs).fields
    initial = {}
    for name, field in fields.items():
        if name not in data:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        initial[name] = data.getlist(name) if multiple else data.get(name)
    return initial
