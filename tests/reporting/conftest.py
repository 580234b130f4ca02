"""Fake figure sections registered for the reporting tests, the registry restored afterwards."""

import pytest

from poitiers_inclusion import figures
from poitiers_inclusion.figures import Section, SectionSpec, Table


class Recorder:
    """Builds sections from fixed figures and remembers the scope each build received."""

    def __init__(self):
        self.scopes = []

    def activity(self, scope):
        self.scopes.append(scope)
        mine = scope.user.role == "conseiller"
        return Section(
            key="activite",
            title="Activité",
            kpis=[("Médiations", 3 if mine else 12), ("Usagers uniques", 2 if mine else 9)],
            tables=[
                Table(
                    key="par_lieu",
                    title="Médiations par lieu",
                    columns=["Lieu", "Médiations", "Usagers uniques"],
                    rows=[["Médiathèque", 7, 5], ["Mairie de quartier", 5, 4]],
                    chart="bar",
                ),
                Table(
                    key="par_mois",
                    title="Médiations par mois",
                    columns=["Mois", "Individuels", "Collectifs"],
                    rows=[["01/2025", 4, 1], ["02/2025", 5, 2]],
                    chart="stacked",
                ),
            ],
            notes=["Une médiation compte une personne aidée."],
        )

    def network(self, scope):
        return Section(
            key="reseau",
            title="Réseau",
            kpis=[("Structures", 4)],
            tables=[
                Table(
                    key="reunions",
                    title="Réunions",
                    columns=["Mois", "Présents"],
                    rows=[["03/2025", 11], ["09/2025", 14]],
                    chart="line",
                )
            ],
        )


@pytest.fixture
def registry(monkeypatch):
    """An empty figures registry for the test (the real one is put back afterwards)."""
    monkeypatch.setattr(figures, "_SECTIONS", {})
    monkeypatch.setattr(figures, "_API_BLOCKS", {})
    return figures


@pytest.fixture
def fake_sections(registry):
    recorder = Recorder()
    # Registered out of order on purpose: the dashboard follows `order`, not registration.
    registry.register_section(SectionSpec("reseau", "Réseau", 90, recorder.network))
    registry.register_section(SectionSpec("activite", "Activité", 10, recorder.activity))
    return recorder


HOSTILE = ['=HYPERLINK("http://evil.test","clic")', "+1", "-1", "@x"]


@pytest.fixture
def hostile_section(registry):
    """A section whose user-typed labels try to start spreadsheet formulas."""

    def build(scope):
        return Section(
            key="piege",
            title="Piège",
            kpis=[(HOSTILE[0], 1)],
            tables=[
                Table(
                    key="lieux",
                    title="Lieux",
                    columns=["Lieu", "Médiations"],
                    rows=[[text, n] for n, text in enumerate(HOSTILE, start=1)],
                )
            ],
        )

    registry.register_section(SectionSpec("piege", "Piège", 1, build))
