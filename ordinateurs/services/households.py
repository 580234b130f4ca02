"""Households' requests: referral, decisions, allocation of a device and its hand-over,
expiry and anonymisation."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from poitiers_inclusion.audit import audited_save, log_event
from poitiers_inclusion.concurrency import locked

from .. import notifications
from ..enums import (
    DEMANDE_TRANSITIONS,
    Etat,
    StatutDemande,
)
from ..models import (
    Attribution,
    Demande,
    Foyer,
    Ordinateur,
)
from .devices import OrdinateurError, _move

# --- Households and requests --------------------------------------------------------------------


def _next_foyer_code(year: int) -> str:
    prefix = f"F-{year}-"
    last = Foyer.objects.filter(code__startswith=prefix).aggregate(n=Max("code"))["n"]
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:04d}"


@transaction.atomic
def refer_household(*, structure, foyer: dict, besoin: str, actor, at=None) -> Demande:
    """A partner refers a household (with its consent): a pseudonymous file and a request."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE ordinateurs_foyer IN SHARE ROW EXCLUSIVE MODE")
    now = at or timezone.now()
    household = Foyer(
        code=_next_foyer_code(timezone.localtime(now).year),
        structure=structure,
        created_by=actor,
        created_at=now,
        **foyer,
    )
    audited_save(household, actor=actor)
    demande = Demande(foyer=household, besoin=besoin, created_by=actor, created_at=now)
    return audited_save(demande, actor=actor)


CLOSED = (
    StatutDemande.REFUSEE,
    StatutDemande.EQUIPEE,
    StatutDemande.ABANDON,
    StatutDemande.EXPIREE,
)


def _set_status(
    demande: Demande, statut: str, *, actor, motif="", at=None, tell=True, **told
) -> Demande:
    if statut not in DEMANDE_TRANSITIONS.get(demande.statut, ()):
        raise OrdinateurError(
            f"Une demande « {demande.get_statut_display().lower()} » ne peut pas passer à "
            f"« {StatutDemande(statut).label.lower()} ».",
            field="statut",
        )
    if statut in (StatutDemande.REFUSEE, StatutDemande.INCOMPLETE) and not motif.strip():
        raise OrdinateurError("Indiquez le motif, il sera transmis à la structure.", field="motif")
    now = at or timezone.now()
    before = demande.statut
    demande.statut = statut
    if motif:
        demande.motif = motif.strip()
    if statut == StatutDemande.LISTE_ATTENTE and demande.waitlisted_at is None:
        demande.waitlisted_at = now
    if statut in CLOSED:
        demande.closed_at = now
    demande.save()
    log_event(
        actor=actor,
        action="ordinateurs.demande.status_changed",
        target=demande,
        changes={"statut": [before, statut]},
    )
    if tell:
        notifications.tell_partner(demande, **told)
    return demande


@transaction.atomic
def decide(*, demande: Demande, statut: str, actor, motif: str = "", priorite=None, at=None):
    """The coordination's decision on a request (eligible, incomplete, refused, waiting list,
    abandoned…); a refusal or a missing document says why. An eligible request takes its place
    on the waiting list in the same step (both changes are in its history) and the partner is
    told once, of both. The version the person's form expects (DecisionForm) is kept: a
    decision taken meanwhile refuses this one."""
    demande = locked(demande)
    if statut in (StatutDemande.PROPOSEE, StatutDemande.EQUIPEE) or (
        demande.statut == StatutDemande.PROPOSEE
    ):
        # A device is involved: proposing, handing over and withdrawing keep it in step.
        raise OrdinateurError(
            "Un ordinateur est en jeu : proposez-le, notez sa remise ou retirez la proposition.",
            field="statut",
        )
    if priorite is not None:
        demande.priorite = priorite
    if statut == StatutDemande.ELIGIBLE:
        _set_status(demande, statut, actor=actor, motif=motif, at=at, tell=False)
        return _set_status(
            demande, StatutDemande.LISTE_ATTENTE, actor=actor, at=at, became_eligible=True
        )
    return _set_status(demande, statut, actor=actor, motif=motif, at=at)


@transaction.atomic
def propose(*, demande: Demande, ordinateur: Ordinateur, actor, at=None) -> Attribution:
    """Reserve an available device for a household on the waiting list."""
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    ordinateur = Ordinateur.objects.select_for_update().get(pk=ordinateur.pk)
    if demande.statut != StatutDemande.LISTE_ATTENTE:
        raise OrdinateurError("Seule une demande en liste d'attente reçoit un ordinateur.")
    if ordinateur.etat != Etat.DISPONIBLE:
        raise OrdinateurError("Cet ordinateur n'est pas disponible.", field="ordinateur")
    _move(ordinateur, Etat.RESERVE, actor=actor, note=f"Réservé pour le {demande.foyer}", at=at)
    _set_status(demande, StatutDemande.PROPOSEE, actor=actor, at=at)
    attribution = Attribution.objects.create(
        demande=demande, ordinateur=ordinateur, proposee_par=actor, proposed_at=at or timezone.now()
    )
    log_event(actor=actor, action="ordinateurs.attribution.created", target=attribution)
    return attribution


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def hand_over_moment(*, on: datetime.date | None, ceremonie=None, now=None) -> datetime.datetime:
    """When a hand-over happened, from the day typed: at the ceremony's time on its day, now
    when it is today, else midday; no day typed: the ceremony's day, else today. A ceremony
    still to come gives now, which `_check_hand_over_day` refuses with the ceremony's date."""
    now = now or timezone.now()
    if ceremonie is not None and on in (None, timezone.localdate(ceremonie.date)):
        return min(ceremonie.date, now)
    if on is None or on == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))


def _check_hand_over_day(attribution, ceremonie, at, now):
    """A hand-over is a fact: it has happened (the device leaves, the request is equipped, the
    partner is told, the figures count it), on the ceremony's day when at a ceremony, not
    before the device was reserved."""
    if ceremonie is not None and timezone.localdate(ceremonie.date) > timezone.localdate(now):
        raise OrdinateurError(
            f"La cérémonie « {ceremonie.titre} » a lieu le {_day(ceremonie.date)} : notez la "
            "remise ce jour-là ou après, quand l'ordinateur a été remis. D'ici là, il reste "
            "réservé pour ce foyer.",
            field="remis_le",
        )
    if timezone.localdate(at) > timezone.localdate(now):
        raise OrdinateurError(
            "La remise ne peut pas être datée dans le futur : notez-la une fois l'ordinateur "
            "remis.",
            field="remis_le",
        )
    if ceremonie is not None and timezone.localdate(at) != timezone.localdate(ceremonie.date):
        raise OrdinateurError(
            f"La cérémonie « {ceremonie.titre} » a eu lieu le {_day(ceremonie.date)} : une "
            "remise lors de cette cérémonie porte cette date (sinon, choisissez « Sans "
            "cérémonie »).",
            field="remis_le",
        )
    if timezone.localdate(at) < timezone.localdate(attribution.proposed_at):
        raise OrdinateurError(
            f"L'ordinateur a été réservé pour ce foyer le {_day(attribution.proposed_at)} : la "
            "remise ne peut pas être datée avant.",
            field="remis_le",
        )


@transaction.atomic
def hand_over(*, attribution: Attribution, actor, ceremonie=None, at=None, on=None) -> Attribution:
    """The household received its computer: the device is *remis*, the request *équipée*,
    both on the day of the hand-over (`on`, or the moment `at`; by default the ceremony's day,
    else now), which the receipt, the figures and the device's history read."""
    attribution = Attribution.objects.select_for_update().get(pk=attribution.pk)
    if attribution.cancelled_at or attribution.handed_over_at:
        raise OrdinateurError("Cette attribution est déjà close.")
    now = timezone.now()
    if at is None:
        at = hand_over_moment(on=on, ceremonie=ceremonie, now=now)
        if timezone.localdate(at) == timezone.localdate(attribution.proposed_at):
            # Reserved the morning of the ceremony: the history keeps the order things had.
            at = max(at, attribution.proposed_at)
    _check_hand_over_day(attribution, ceremonie, at, now)
    ordinateur = Ordinateur.objects.select_for_update().get(pk=attribution.ordinateur_id)
    demande = Demande.objects.select_for_update().get(pk=attribution.demande_id)
    _move(ordinateur, Etat.REMIS, actor=actor, note=f"Remis au {demande.foyer}", at=at)
    _set_status(demande, StatutDemande.EQUIPEE, actor=actor, at=at)
    attribution.handed_over_at, attribution.remise_par, attribution.ceremonie = (
        at,
        actor,
        ceremonie,
    )
    attribution.save()
    log_event(actor=actor, action="ordinateurs.attribution.handed_over", target=attribution)
    return attribution


@transaction.atomic
def withdraw(*, attribution: Attribution, actor, motif: str, abandon=False) -> Attribution:
    """The proposal did not go ahead: the device is available again, the request goes back to
    the waiting list (or is abandoned)."""
    attribution = Attribution.objects.select_for_update().get(pk=attribution.pk)
    if attribution.cancelled_at or attribution.handed_over_at:
        raise OrdinateurError("Cette attribution est déjà close.")
    ordinateur = Ordinateur.objects.select_for_update().get(pk=attribution.ordinateur_id)
    demande = Demande.objects.select_for_update().get(pk=attribution.demande_id)
    _move(ordinateur, Etat.DISPONIBLE, actor=actor, note=motif)
    statut = StatutDemande.ABANDON if abandon else StatutDemande.LISTE_ATTENTE
    _set_status(demande, statut, actor=actor, motif=motif)
    attribution.cancelled_at = timezone.now()
    attribution.save()
    log_event(actor=actor, action="ordinateurs.attribution.withdrawn", target=attribution)
    return attribution


def expire_requests(*, incomplete_days: int, today=None, dry_run=False) -> int:
    """Requests left incomplete for too long expire (the structure may refer again)."""
    today = today or timezone.localdate()
    limit = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=incomplete_days), datetime.time())
    )
    stale = Demande.objects.filter(statut=StatutDemande.INCOMPLETE, created_at__lt=limit)
    if dry_run:
        return stale.count()
    count = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # Claimed under its lock and checked again: a run going on at the same time has
            # expired it, or is doing so (then it is left to that run).
            demande = stale.select_for_update(skip_locked=True).filter(pk=pk).first()
            if demande is None:
                continue
            _set_status(demande, StatutDemande.EXPIREE, actor=None)
            count += 1
    return count


def anonymise_closed_households(*, before: datetime.datetime, dry_run=False) -> int:
    """Empty the personal fields of households whose every request closed before that date."""
    candidates = (
        Foyer.objects.filter(anonymised_at__isnull=True)
        .exclude(demandes__statut__in=[s for s in StatutDemande.values if s not in CLOSED])
        .exclude(demandes__closed_at__gte=before)
        .filter(demandes__isnull=False)
        .distinct()
    )
    if dry_run:
        return candidates.count()
    count = 0
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            # Claimed under its lock and checked again (a run at the same time, a new request
            # meanwhile); the DISTINCT of `candidates` cannot take the lock itself.
            foyer = (
                Foyer.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, anonymised_at__isnull=True)
                .first()
            )
            if foyer is None or not candidates.filter(pk=pk).exists():
                continue
            emptied = [name for name in Foyer.PERSONAL_FIELDS if getattr(foyer, name)]
            for name in Foyer.PERSONAL_FIELDS:
                setattr(foyer, name, "")
            foyer.anonymised_at = timezone.now()
            foyer.save()
            log_event(
                actor=None,
                action="ordinateurs.foyer.anonymised",
                target=foyer,
                changes={"fields": emptied},
            )
            count += 1
    return count
