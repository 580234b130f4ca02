"""La Coop's API activities read as rows of its export: who the médiateur is here, which lieu.

Each activity is put in the cells of a row of the Coop's file and read by the file's own code
(`reading.parse_row`): one mapping of types, thématiques, durations, lieux and levels, and one set
of French reasons for a value refused.
"""

import datetime
from dataclasses import dataclass

from poitiers_inclusion.models import User

from ..enums import TypeActivite, TypeLieu
from ..perms import LOGGERS
from .client import CoopClient
from .columns import GENERATED_ID
from .reading import CoopRow, parse_row

API_SOURCE = "La Coop de la médiation numérique (API)"
# More people than any workshop holds: a value this large is an error, not people to create.
MAX_ACCOMPAGNEMENTS = 500


# --- Who the médiateur is here ----------------------------------------------------------------


class Mediateurs:
    """The accounts that log médiations here, found from the Coop's `mediateur_id`: by the Coop
    id stored on the account, else by e-mail through the Coop's list of users (read once, and
    only when an activity's médiateur is not already known by id)."""

    def __init__(self, client: CoopClient):
        self.client = client
        accounts = list(User.objects.filter(role__in=LOGGERS).order_by("-is_active", "pk"))
        self.by_coop_id = {user.coop_id: user for user in accounts if user.coop_id}
        self.by_email = {}
        for user in accounts:
            self.by_email.setdefault(user.email.lower(), user)
        self._coop_users = None

    def _coop_user(self, mediateur_id: str) -> dict:
        if self._coop_users is None:
            self._coop_users = {}
            for utilisateur in self.client.utilisateurs():
                mediateur = (utilisateur.get("attributes") or {}).get("mediateur") or {}
                if mediateur.get("id"):
                    self._coop_users[mediateur["id"]] = utilisateur
        return self._coop_users.get(mediateur_id) or {}

    def find(self, mediateur_id: str) -> tuple[User | None, str]:
        """The account, and how to name the médiateur in a report."""
        if mediateur_id in self.by_coop_id:
            return self.by_coop_id[mediateur_id], ""
        utilisateur = self._coop_user(mediateur_id)
        attributes = utilisateur.get("attributes") or {}
        email = str(attributes.get("email") or "")
        account = self.by_coop_id.get(str(utilisateur.get("id") or "")) or self.by_email.get(
            email.lower()
        )
        names = " ".join(str(attributes.get(k) or "") for k in ("prenom", "nom")).strip()
        label = f"{names} <{email}>" if names and email else email or mediateur_id
        return account, label


# --- From the API's activity to a row of the Coop's file -------------------------------------


def _joined(values) -> str:
    if not isinstance(values, list):
        raise TypeError(values)
    return "\n".join(str(value) for value in values)


def _cells(activity: dict, structures: dict[str, dict]) -> dict:
    """The activity written as the cells of the export's row (codes where the file has labels:
    the file's readers accept both)."""
    a = activity["attributes"]
    count = a.get("accompagnements") or 1
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    collective = a.get("type") == TypeActivite.COLLECTIF
    redirected = a.get("oriente_vers_structure")
    cells = {
        "coop_id": activity.get("id"),
        "date": a.get("date"),
        "type": a.get("type"),
        "participants": f"1/{count}",
        "canal": a.get("type_lieu"),
        "duree": a.get("duree"),
        "atelier": a.get("titre_atelier"),
        "materiel": _joined(a.get("materiel") or []),
        "thematiques": _joined(a.get("thematiques") or []),
        "tags": _joined(a.get("tags") or []),
        "demarche": a.get("precisions_demarche"),
        "niveau": a.get("niveau_atelier") if collective else a.get("autonomie"),
        "reoriente": {True: "Oui", False: "Non"}.get(redirected, ""),
        "structure_redirection": a.get("structure_de_redirection"),
        "source": API_SOURCE,
    }
    structure = structures.get(a.get("structure_id") or "")
    if a.get("type_lieu") == TypeLieu.LIEU_ACTIVITE and structure:
        s = structure.get("attributes") or {}
        cells.update(
            lieu_nom=s.get("nom"),
            lieu_adresse=s.get("adresse"),
            lieu_commune=s.get("commune"),
            lieu_code_postal=s.get("code_postal"),
            lieu_code_insee=s.get("code_insee"),
        )
    return cells


def accompagnements(activity: dict) -> int:
    count = activity["attributes"].get("accompagnements") or 1
    return int(count)


def modified_at(activity: dict) -> datetime.datetime | None:
    attributes = activity.get("attributes") or {}
    for key in ("modification", "creation"):
        try:
            return datetime.datetime.fromisoformat(str(attributes.get(key)))
        except ValueError:
            continue
    return None


@dataclass
class Prepared:
    """An activity of the page, checked: what to write, or why not."""

    activity: dict
    row: CoopRow | None = None
    conseiller: User | None = None
    mediateur: str = ""
    reason: str = ""
    deleted: bool = False


def prepare(activity: dict, mediateurs: Mediateurs, structures: dict) -> Prepared:
    coop_id = str(activity.get("id") or "")
    attributes = activity.get("attributes")
    if activity.get("type") != "activite" or not isinstance(attributes, dict) or not coop_id:
        return Prepared(activity, reason="élément qui n’est pas une activité de La Coop")
    if GENERATED_ID.match(coop_id):
        # The number our own export gives to an activity typed here: never written over.
        return Prepared(activity, reason="identifiant d’une médiation saisie dans l’application")
    conseiller, label = mediateurs.find(str(attributes.get("mediateur_id") or ""))
    if attributes.get("suppression"):
        return Prepared(activity, conseiller=conseiller, mediateur=label, deleted=True)
    if conseiller is None:
        return Prepared(
            activity,
            mediateur=label,
            reason="médiateur inconnu ici : aucun compte de conseiller n’a son adresse e-mail ni "
            "son identifiant La Coop (ajoutez-le au compte pour importer ses activités)",
        )
    try:
        row, reasons = parse_row(0, _cells(activity, structures), {})
    except (TypeError, ValueError, AttributeError):
        row, reasons = None, ["valeur d’un type inattendu dans la réponse de La Coop"]
    if row is not None and row.participant[1] > MAX_ACCOMPAGNEMENTS:
        reasons.append(f"plus de {MAX_ACCOMPAGNEMENTS} accompagnements dans une activité")
    if reasons:
        return Prepared(activity, mediateur=str(conseiller), reason=" ; ".join(reasons))
    return Prepared(activity, row=row, conseiller=conseiller, mediateur=str(conseiller))


def fetch_structures(client: CoopClient, activities: list[dict], known: dict) -> None:
    wanted = {
        (a.get("attributes") or {}).get("structure_id")
        for a in activities
        if isinstance(a.get("attributes"), dict)
        and a["attributes"].get("type_lieu") == TypeLieu.LIEU_ACTIVITE
    }
    missing = sorted(str(i) for i in wanted - set(known) if i)
    for structure in client.structures(missing) if missing else []:
        known[str(structure.get("id"))] = structure
    for structure_id in missing:  # unknown to the API too: asked once
        known.setdefault(structure_id, {})
