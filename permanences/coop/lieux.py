"""Which of our lieux a Coop activity names (file or API): the same name in the same commune, or
the same address and postcode under another name ("Maison de quartier Sèvre" is "SEVE"). A name
that only resembles one of ours is proposed for confirmation; a lieu we do not know is created
awaiting a coordinator's confirmation, never published before.
"""

from collections import defaultdict
from dataclasses import dataclass

from poitiers_inclusion.text import address, fold
from reseau.models import Lieu

from .columns import UNKNOWN_PIVOT
from .reading import LieuData

# Words too common in places' names to tell two places apart.
COMMON_WORDS = {
    "maison",
    "quartier",
    "centre",
    "social",
    "socio",
    "culturel",
    "espace",
    "salle",
    "mairie",
    "annexe",
    "mediatheque",
    "bibliotheque",
    "association",
    "ville",
    "france",
    "services",
    "numerique",
    "point",
}


def _address_key(adresse: str, code_postal: str):
    street, postcode = address(adresse), (code_postal or "").strip()
    return (street, postcode) if street and postcode else None


def _street(adresse: str) -> str:
    """The street without its number ("26 bis rue X" -> "rue X")."""
    words = address(adresse).split()
    while words and (words[0].isdigit() or words[0] in ("bis", "ter")):
        words = words[1:]
    return " ".join(words)


def _name_words(nom: str) -> set[str]:
    words = "".join(c if c.isalnum() else " " for c in fold(nom)).split()
    return {w for w in words if len(w) >= 4 and w not in COMMON_WORDS}


@dataclass
class Suggestion:
    """A lieu of the file that resembles one of ours: the coordinator says if it is the same."""

    data: LieuData
    lieu: Lieu


class LieuIndex:
    """The known lieux, found by folded name and commune or by address and postcode."""

    def __init__(self, lieux=()):
        self.by_name: dict = {}
        self.by_address: dict = {}
        self.by_postcode = defaultdict(list)
        for lieu in lieux:
            self.add(lieu)

    def add(self, lieu: Lieu, data: LieuData | None = None) -> None:
        """Know `lieu` by its own name and address, and by those of `data` (the file's words
        for it, when a coordinator attached them to it)."""
        for nom in (lieu.nom, *lieu.aliases):
            self.by_name.setdefault((fold(nom), fold(lieu.commune)), lieu)
        key = _address_key(lieu.adresse, lieu.code_postal)
        if key:
            self.by_address.setdefault(key, lieu)
        self.by_postcode[(lieu.code_postal or "").strip()].append(lieu)
        if data is not None:
            self.by_name[data.key] = lieu

    def find(self, data: LieuData | None) -> Lieu | None:
        if data is None:
            return None
        return self.by_name.get(data.key) or self.by_address.get(
            _address_key(data.adresse, data.code_postal)
        )

    def resembling(self, data: LieuData) -> Lieu | None:
        """A lieu of the same postcode on the same street, or sharing a distinctive word of its
        name: maybe the same place, for a person to tell."""
        street, words = _street(data.adresse), _name_words(data.nom)
        for lieu in self.by_postcode.get((data.code_postal or "").strip(), []):
            if lieu.awaiting_confirmation:
                continue
            if (street and _street(lieu.adresse) == street) or (words & _name_words(lieu.nom)):
                return lieu
        return None


def existing_lieux() -> LieuIndex:
    """Every lieu, active ones first (an archived namesake does not hide an active one)."""
    return LieuIndex(
        Lieu.objects.order_by("archived_at", "pk").only(
            "pk", "nom", "aliases", "commune", "adresse", "code_postal", "awaiting_confirmation"
        )
    )


def unknown_lieux(datas, lieux: LieuIndex) -> list[LieuData]:
    """The lieux of `datas` that `lieux` does not find, each once."""
    unknown = {}
    for data in datas:
        if data is not None and lieux.find(data) is None:
            unknown.setdefault(data.key, data)
    return list(unknown.values())


def suggestions(datas: list[LieuData], lieux: LieuIndex) -> list[Suggestion]:
    found = ((data, lieux.resembling(data)) for data in datas)
    return [Suggestion(data, lieu) for data, lieu in found if lieu is not None]


def create_lieux(datas: list[LieuData], lieux: LieuIndex, attach: dict | None = None) -> list[Lieu]:
    """Create the lieux the Coop names and we do not know, awaiting a coordinator's confirmation
    (each with the lieu it resembles, if any); those in `attach` (LieuData.key -> Lieu) are that
    lieu instead, as the coordinator said on the preview. `lieux` learns them all."""
    attach = attach or {}
    created = []
    for data in datas:
        if data.key in attach:
            lieu = attach[data.key]
            if data.nom not in lieu.aliases:
                lieu.aliases = [*lieu.aliases, data.nom]
                lieu.save(update_fields=["aliases"])
            lieux.add(lieu, data)
            continue
        created.append(
            Lieu(
                nom=data.nom,
                adresse=data.adresse,
                commune=data.commune,
                code_postal=data.code_postal,
                code_insee=data.code_insee,
                pivot=UNKNOWN_PIVOT,
                source="Import La Coop",
                awaiting_confirmation=True,
                suggested_match=lieux.resembling(data),
            )
        )
    Lieu.objects.bulk_create(created)
    for lieu in created:
        lieux.add(lieu)
    return created
