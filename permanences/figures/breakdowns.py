"""The médiation log's figures per dimension (month, lieu, conseiller, publics, thématiques,
duration, autonomy, redirection, satisfaction, source), read from the SQL aggregates."""

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Genre, StatutSocial, TrancheAge
from poitiers_inclusion.models import User
from reseau.models import Lieu

from ..enums import (
    Autonomie,
    Materiel,
    Satisfaction,
    SourceConnaissance,
    StructureRedirection,
    Thematique,
    ThematiqueDemarche,
    TrancheDuree,
)
from .aggregates import array_sets, people_sets, plain_counts, publics_sets

NOT_GIVEN = "Non renseigné"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


# Each breakdown returns a list of {"code", "label", "valeur"} (and "usagers" where it makes
# sense).


def _rows(pairs, labels: dict, *, keep_empty=False, unknown_label=NOT_GIVEN):
    rows = []
    for code, value in pairs:
        if not value and not keep_empty:
            continue
        rows.append(
            {
                "code": code if code not in (None, "") else "",
                "label": labels.get(code, unknown_label) if code else unknown_label,
                "valeur": value or 0,
            }
        )
    return rows


def _ordered(counts: dict, choices) -> list[dict]:
    """Counts per code, in the order of the choices, unknown values (and "not given") last."""
    counts = dict(counts)
    labels = dict(choices)
    ordered = [(code, counts.pop(code, 0)) for code in labels]
    ordered += sorted(counts.items(), key=lambda kv: str(kv[0]))
    return _rows(ordered, labels)


def _by_pk(queryset, ids, *fields) -> dict:
    """{pk: (fields…)} of these records. For thousands of ids (every lieu or conseiller of a
    national programme) the whole table is read: Django builds a parameter per id, slower than
    reading the rows not asked for."""
    ids = [pk for pk in ids if pk is not None]
    if len(ids) <= 500:
        queryset = queryset.filter(pk__in=ids)
    return {row[0]: row[1:] for row in queryset.order_by().values_list("pk", *fields)}


def per_month(scope: figures.Scope) -> list[dict]:
    rows = sorted(people_sets(scope)["month"], key=lambda r: r["month"])
    return [
        {
            "code": f"{r['month']:%Y-%m}",
            "label": f"{MONTHS[r['month'].month - 1]} {r['month'].year}",
            "valeur": r["n"],
            "usagers": r["people"],
        }
        for r in rows
    ]


def per_lieu(scope: figures.Scope) -> list[dict]:
    rows = people_sets(scope)["lieu"]
    names = {
        pk: nom for pk, (nom,) in _by_pk(Lieu.objects, [r["lieu_id"] for r in rows], "nom").items()
    }
    result = [
        {
            "code": r["lieu_id"] or "",
            "label": names.get(r["lieu_id"]) or "Hors lieu (domicile, à distance…)",
            "valeur": r["n"],
            "usagers": r["people"],
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["valeur"], r["label"]))


def per_conseiller(scope: figures.Scope) -> list[dict]:
    rows = people_sets(scope)["conseiller"]
    people = _by_pk(
        User.objects, [r["conseiller_id"] for r in rows], "first_name", "last_name", "email"
    )
    result = []
    for r in rows:
        first_name, last_name, email = people[r["conseiller_id"]]
        result.append(
            {
                "code": r["conseiller_id"],
                "label": f"{first_name} {last_name}".strip() or email,
                "valeur": r["n"],
                "usagers": r["people"],
                "_last_name": last_name,
            }
        )
    result.sort(key=lambda r: (-r["valeur"], r.pop("_last_name")))
    return result


def per_genre(scope: figures.Scope) -> list[dict]:
    return _ordered(publics_sets(scope)["genre"], Genre.choices)


def per_age_band(scope: figures.Scope) -> list[dict]:
    return _ordered(publics_sets(scope)["band"], TrancheAge.choices)


def per_statut(scope: figures.Scope) -> list[dict]:
    return _ordered(publics_sets(scope)["statut"], StatutSocial.choices)


def per_quartier(scope: figures.Scope) -> list[dict]:
    """Unique usagers per quartier of residence (not the lieu's)."""
    rows = sorted(publics_sets(scope)["quartier"], key=lambda r: (-r["n"], r["nom"] or ""))
    return [
        {
            "code": r["quartier_id"] or "",
            "label": (r["nom"] or NOT_GIVEN) + (" (QPV)" if r["qpv"] else ""),
            "valeur": r["n"],
        }
        for r in rows
    ]


def qpv_share(scope: figures.Scope) -> dict:
    """Unique usagers living in a QPV, among those whose quartier is known."""
    rows = publics_sets(scope)["quartier"]
    known = sum(r["n"] for r in rows if r["quartier_id"])
    qpv = sum(r["n"] for r in rows if r["quartier_id"] and r["qpv"])
    return {
        "qpv": qpv,
        "quartier_connu": known,
        "part": round(100 * qpv / known, 1) if known else None,
    }


def _array_rows(scope, key, choices) -> list[dict]:
    counts = array_sets(scope)[key]
    return _rows([(code, counts.get(code, 0)) for code, _label in choices], dict(choices))


def per_thematique(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "t", Thematique.choices)


def per_demarche(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "d", ThematiqueDemarche.choices)


def per_materiel(scope: figures.Scope) -> list[dict]:
    return _array_rows(scope, "m", Materiel.choices)


def per_duration_band(scope: figures.Scope) -> list[dict]:
    return _ordered(plain_counts(scope)["band"], TrancheDuree.choices)


def per_autonomie(scope: figures.Scope) -> list[dict]:
    return _ordered(plain_counts(scope)["aut"], Autonomie.choices)


def redirections(scope: figures.Scope) -> dict:
    """Accompagnements redirected, and to which kind of structure."""
    counts = plain_counts(scope)
    return {
        "redirigés": counts["redirige"],
        "offre_sociale_internet": counts["structure"].get(
            StructureRedirection.OFFRE_SOCIALE_INTERNET, 0
        ),
        "par_structure": _ordered(counts["structure"], StructureRedirection.choices),
    }


def per_satisfaction(scope: figures.Scope) -> list[dict]:
    return _ordered(plain_counts(scope)["satisfaction"], Satisfaction.choices)


def per_source(scope: figures.Scope) -> list[dict]:
    return _ordered(plain_counts(scope)["source"], SourceConnaissance.choices)


def satisfied_share(scope: figures.Scope) -> float | None:
    """Share of the answers that are "satisfait" or "très satisfait" (in %), None if no answer."""
    counts = plain_counts(scope)["satisfaction"]
    answered = sum(n for code, n in counts.items() if code)
    if not answered:
        return None
    satisfied = counts.get(Satisfaction.TRES_SATISFAIT, 0) + counts.get(Satisfaction.SATISFAIT, 0)
    return round(100 * satisfied / answered, 1)
