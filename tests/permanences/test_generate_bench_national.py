"""generate_bench_data on an empty database: the national shapes a bench result stands on."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from ateliers.enums import Presence
from ateliers.models import Inscription, Seance
from ordinateurs.models import Attribution, Effacement, Evenement, Ordinateur
from permanences.enums import TypeActivite
from permanences.models import Accompagnement, Mediation, Permanence
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import ApiToken, Usager, User
from reseau.models import Lieu

pytestmark = pytest.mark.django_db

N = 2_000


def _generate(n=N) -> str:
    out = io.StringIO()
    call_command("generate_bench_data", mediations=n, stdout=out)
    return out.getvalue()


def _counts():
    return [
        m.objects.count()
        for m in (Mediation, Accompagnement, Usager, Lieu, User, Seance, Inscription, Ordinateur)
    ]


def test_it_builds_a_national_network_with_returning_people_workshops_and_devices(client):
    output = _generate()
    bench = Mediation.objects.filter(source_donnee="bench")
    assert bench.count() == N
    assert "Génération (COPY) : médiations par seconde" in output

    # Several départements, each conseiller at one to three lieux of theirs.
    lieux = Lieu.objects.filter(identifiant__startswith="bench-lieu-")
    used = lieux.filter(mediations__in=bench).distinct()
    assert len({insee[:2] for insee in used.values_list("code_insee", flat=True)}) >= 5
    conseillers = User.objects.filter(role=Role.CONSEILLER, email__endswith="@bench.example")
    assert conseillers.count() >= 30
    per_conseiller = (
        Permanence.objects.filter(lieu__in=lieux)
        .values("conseillers")
        .annotate(lieux=Count("lieu", distinct=True))
    )
    assert {row["lieux"] for row in per_conseiller} <= {1, 2, 3}
    assert max(row["lieux"] for row in per_conseiller) >= 2
    # Most médiations at a slot, on its weekday.
    at_slot = bench.filter(permanence__isnull=False).select_related("permanence")
    assert 0.5 * N < at_slot.count() < 0.85 * N
    assert all(m.date.weekday() == m.permanence.weekday for m in at_slot[:200])

    # Returning people, anonymous ones, and workshops of several people.
    visits = Accompagnement.objects.values("usager").annotate(n=Count("id"))
    assert visits.filter(n__gte=2).count() > 50
    assert visits.filter(n__gte=5).exists()
    accompagnements = Accompagnement.objects.filter(mediation__in=bench)
    anonymous = accompagnements.filter(usager__consent_at__isnull=True).count()
    assert 0.08 < anonymous / accompagnements.count() < 0.25
    # Names spread as a country's: namesakes are few (a lookup by name reads a few records).
    named = Usager.objects.filter(consent_at__isnull=False, first_name__gt="")
    names = named.values("first_name", "last_name").distinct().count()
    assert names > 0.9 * named.count()
    collective = bench.filter(type_activite=TypeActivite.COLLECTIF).annotate(
        people=Count("accompagnements")
    )
    assert 0.05 * N < collective.count() < 0.15 * N
    assert collective.filter(people__gt=1).count() == collective.count()

    # Workshops with attendance, devices along their whole path.
    seances = Seance.objects.filter(lieu__in=lieux)
    assert seances.count() == N // 50
    assert Inscription.objects.filter(seance__in=seances, presence=Presence.PRESENT).exists()
    devices = Ordinateur.objects.filter(numero__startswith="B-")
    assert devices.count() == N // 200
    assert devices.values("etat").distinct().count() >= 4
    assert Evenement.objects.filter(ordinateur__in=devices).count() > devices.count()
    assert Effacement.objects.exists() and Attribution.objects.exists()

    # The figures run on it: the statistics API counts every accompagnement, the dashboard shows.
    coordinator = User.objects.get(email="coordination@bench.example")
    token = ApiToken.issue(coordinator)
    data = client.get(
        reverse("reporting_api:statistics"), headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert data["mediations"]["total"] == Accompagnement.objects.count()
    assert data["mediations"]["collectifs"] > 0
    client.force_login(coordinator)
    assert client.get(reverse("reporting:dashboard")).status_code == 200

    # Running again adds nothing; a bigger N tops up.
    before = _counts()
    _generate()
    assert _counts() == before
    _generate(N + 500)
    assert bench.count() == N + 500
    assert Seance.objects.filter(lieu__in=lieux).count() == (N + 500) // 50
