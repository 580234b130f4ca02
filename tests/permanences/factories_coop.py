"""Coop activities files for the tests: the real sample, and small workbooks built row by row;
and where the synchronisation with La Coop's API stands.

Headers are written here as La Coop writes them (not taken from the code under test).
"""

import datetime
import io
from pathlib import Path

import factory
from openpyxl import Workbook

from permanences.enums import SyncOutcome
from permanences.models import CoopSync

SAMPLE = Path(__file__).parent / "data" / "coop-activites-export-conseiller.xlsx"

CONSEILLER_HEADER = [
    "Date",
    "Enregistré le",
    "Dernière modification le",
    "Type",
    "Participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Nom du lieu",
    "Adresse",
    "Commune",
    "Code postal",
    "Code Insee",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Tags",
    "Nom de la démarche administrative",
    "Niveau d’autonomie (ou de l’atelier)",
    "Bénéficiaire réorienté",
    "Structure de redirection",
    "Commune du bénéficiaire",
    "Code postal du bénéficiaire",
    "Code Insee du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
    "ID CRA",
]
MEDIATEUR_COLUMNS = ["Prénom du médiateur", "Nom du médiateur", "Rôle", "ID - Conum"]


def coordinator_header():
    """A coordinator's export: médiateur columns after the dates, no Bénéficiaire column."""
    header = [h for h in CONSEILLER_HEADER if h != "Bénéficiaire"]
    return header[:3] + MEDIATEUR_COLUMNS + header[3:]


def coop_row(n=1, **values):
    """One individual accompagnement, as the Coop writes it; override any column by header."""
    row = {
        "Date": datetime.datetime(2025, 3, 4),
        "Enregistré le": "04/03/2025 à 10:42",
        "Type": "Accompagnement individuel",
        "Participants": 1,
        "Bénéficiaire": "Bénéficiaire anonyme",
        "Canaux d’accompagnement": "Lieu d’activité",
        "Nom du lieu": "Médiathèque François-Mitterrand",
        "Adresse": "4 rue de l'Université",
        "Commune": "Poitiers",
        "Code postal": "86000",
        "Code Insee": "86194",
        "Durée (min)": 45,
        "Matériel numérique utilisé": "Ordinateur",
        "Thématique(s) d’accompagnement": "E-mail",
        "Niveau d’autonomie (ou de l’atelier)": "2/3",
        "Bénéficiaire réorienté": "Non",
        "Genre du bénéficiaire": "Féminin",
        "Tranche d’âge du bénéficiaire": "60 - 69 ans",
        "Statut du bénéficiaire": "Retraité",
        "ID CRA": f"test-{n:05d}",
        "Prénom du médiateur": "Test",
        "Nom du médiateur": "Conseillère",
        "Rôle": "Médiateur",
        "ID - Conum": "12345",
    }
    row.update(values)
    return row


def workshop_rows(coop_id="atelier-1", n=3, **values):
    return [
        coop_row(
            **{
                "Type": "Atelier collectif",
                "Participants": f"{i}/{n}",
                "Nom de l’atelier": "Découvrir la messagerie",
                "Niveau d’autonomie (ou de l’atelier)": "1/3",
                "Bénéficiaire réorienté": None,
                "Durée (min)": 120,
                "ID CRA": coop_id,
                **values,
            }
        )
        for i in range(1, n + 1)
    ]


def coop_workbook(
    rows, *, header=None, apostrophe="’", extra_columns=(), sheet="Activités", metadata=True
):
    """The bytes of an xlsx file in La Coop's layout holding the given rows (dicts by header)."""
    header = list(header or CONSEILLER_HEADER)
    for position, name in extra_columns:
        header.insert(position, name)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if metadata:
        for line in (
            ["Informations export"],
            ["Nom", "Conseillère"],
            ["Prénom", "Test"],
            ["Rôle", "Médiateur"],
            ["Date d’export".replace("’", apostrophe), "30/11/2026"],
            ["Nombre total", len(rows)],
            [],
            [],
            ["Filtres"],
            ["Période", "Toutes"],
            [],
        ):
            ws.append(line)
    ws.append([h.replace("’", apostrophe) for h in header])
    for row in rows:
        cells = []
        for h in header:
            value = row.get(h)
            if isinstance(value, str):
                value = value.replace("’", apostrophe)
            cells.append(value)
        ws.append(cells)
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


# The app's own columns, written after La Coop's by our export (La Coop ignores them).
APP_COLUMNS = [
    "Satisfaction",
    "Connu par",
    "Première visite",
    "Quartier de résidence",
    "Réf. usager",
]


def app_header():
    """Our export's header for a conseiller: La Coop's columns, then the app's own."""
    header = list(CONSEILLER_HEADER)
    return header[:-1] + ["Source de la donnée", "ID CRA", *APP_COLUMNS]


class CoopSyncFactory(factory.django.DjangoModelFactory):
    """Where the synchronisation with La Coop's API stands: after a complete pass."""

    class Meta:
        model = CoopSync
        django_get_or_create = ("id",)

    id = 1
    watermark = datetime.datetime(2026, 11, 10, 14, 0, tzinfo=datetime.UTC)
    started_at = datetime.datetime(2026, 11, 11, 1, 30, tzinfo=datetime.UTC)
    finished_at = datetime.datetime(2026, 11, 11, 1, 31, tzinfo=datetime.UTC)
    outcome = SyncOutcome.COMPLETE
    counts = factory.LazyFunction(
        lambda: {"creees": 3, "mises_a_jour": 1, "inchangees": 2, "supprimees": 0, "refusees": 0}
    )
