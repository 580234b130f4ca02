"""The dashboard's filters: each app declares its own to the registry, and the dashboard says on
each section which of the filters set it does not apply."""

import re

import pytest
from django.urls import reverse

from poitiers_inclusion import figures
from poitiers_inclusion.enums import Role
from poitiers_inclusion.figures import FilterSpec, Section, SectionSpec
from reporting import snapshots
from reporting.models import FiguresSnapshot
from tests.factories import QuartierFactory

URL = reverse("reporting:dashboard")
NOTE = "Ce filtre ne s'applique pas à cette section"
NOTES = "Ces filtres ne s'appliquent pas à cette section"


def _sections(html: str) -> dict[str, str]:
    """Each section's HTML by its key."""
    parts = re.split(r'<section class="dashboard-section" id="section-([a-z_]+)"', html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture
def own_filter(registry, monkeypatch):
    """A filter declared by an "app", a section that applies it and one that does not."""
    monkeypatch.setattr(figures, "_FILTERS", {})
    scopes = []

    def build(key):
        def section(scope):
            scopes.append(scope)
            return Section(key=key, title=key.capitalize(), kpis=[("Total", 1)])

        return section

    registry.register_filter(
        FilterSpec("support", "Support", (("papier", "Papier"), ("ecran", "Écran")), "Tous")
    )
    registry.register_section(
        SectionSpec("fiches", "Fiches", 10, build("fiches"), filters=("support", "lieu"))
    )
    registry.register_section(SectionSpec("autres", "Autres", 20, build("autres")))
    return scopes


def test_it_shows_an_app_filter_and_passes_it_to_the_figures(own_filter, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(URL, {"support": "papier"})
    html = response.content.decode()
    assert '<option value="ecran">Écran</option>' in html
    assert own_filter[-1].chosen("support") == ("papier",)
    assert ("Support", "Papier") in response.context["filters"]


def test_it_says_which_sections_a_filter_does_not_apply_to(own_filter, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    sections = _sections(client.get(URL, {"support": "papier"}).content.decode())
    assert NOTE not in sections["fiches"]
    assert f"{NOTE} : Support." in sections["autres"]

    quartier = QuartierFactory()
    both = {"support": "papier", "quartier": quartier.pk}
    sections = _sections(client.get(URL, both).content.decode())
    assert f"{NOTE} : Quartier." in sections["fiches"]
    assert f"{NOTES} : Quartier, Support." in sections["autres"]

    assert NOTE not in client.get(URL).content.decode()  # no filter, no note


def test_a_shared_view_keeps_an_app_filter(own_filter, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        reverse("reporting:share_create"), {"support": "papier", "autre": "x"}
    )
    assert response.context["filters"] == {"support": "papier"}


def test_the_real_sections_say_which_filters_do_not_apply(users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    sections = _sections(client.get(URL, {"thematique": "email"}).content.decode())
    for key in ("ateliers", "ordinateurs", "reseau"):
        assert f"{NOTE} : Thématique." in sections[key], key
    for key in ("ensemble", "general", "permanences", "publics"):
        assert NOTE not in sections[key], key

    sections = _sections(client.get(URL, {"type": "collectif"}).content.decode())
    assert NOTE not in sections["ateliers"]  # workshops are the collective activities
    assert f"{NOTE} : Type." in sections["ordinateurs"]


def test_a_stored_view_is_refreshed_with_its_app_filters(settings, users):
    scope = figures.Scope(user=users[Role.COORDINATEUR], app_filters={"thematique": ("email",)})
    snapshots.compute(scope, store=True)
    stored = FiguresSnapshot.objects.get()
    assert snapshots.scope_from(stored.filters).app_filters == (("thematique", ("email",)),)


def test_homonym_conseillers_are_offered_in_the_same_order_at_each_visit(users, client_for):
    from tests.factories import UserFactory

    homonyms = [
        UserFactory(conseiller=True, first_name="Léa", last_name="Martin") for _ in range(6)
    ]
    for homonym in homonyms[:3]:  # rows rewritten: PostgreSQL reads them after the others
        homonym.save()
    client = client_for(users[Role.COORDINATEUR])
    offered = []
    for _ in range(3):
        select = re.search(r'<select name="conseiller".*?</select>', client.get(URL).text, re.S)
        values = [int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))]
        offered.append([v for v in values if v in {h.pk for h in homonyms}])
    assert offered == [sorted(h.pk for h in homonyms)] * 3
