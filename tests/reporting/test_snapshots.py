"""Long citywide dashboard views are stored, read back, refreshed by cron; small ones stay live."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from reporting.models import FiguresSnapshot
from tests.permanences.factories import MediationFactory

URL = reverse("reporting:dashboard")


def _mediations_kpi(response) -> int:
    general = next(s for s in response.context["sections"] if s.key == "general")
    return dict(general.kpis)["Médiations (accompagnements)"]


@pytest.fixture
def slow(settings):
    """Every citywide view counts as long to compute."""
    settings.FIGURES_SNAPSHOT_MIN_SECONDS = 0
    return settings


def test_small_views_are_always_live(users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    MediationFactory()
    assert _mediations_kpi(client.get(URL)) == 1
    MediationFactory()
    response = client.get(URL)
    assert _mediations_kpi(response) == 2
    assert "Chiffres calculés le" not in response.text
    assert not FiguresSnapshot.objects.exists()


def test_a_long_view_is_stored_then_read_back_and_refreshed_by_cron(slow, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    MediationFactory()
    assert _mediations_kpi(client.get(URL)) == 1
    assert FiguresSnapshot.objects.count() == 1

    MediationFactory()
    response = client.get(URL)
    assert _mediations_kpi(response) == 1  # the stored figures, and the page says when
    assert "Chiffres calculés le" in response.text

    call_command("refresh_figures", stdout=io.StringIO())
    assert _mediations_kpi(client.get(URL)) == 2
    # Another coordinator sees the same stored view; other filters are another view.
    other = client_for(users[Role.ADMIN])
    assert _mediations_kpi(client.get(URL, {"du": "2000-01-01"})) == 2
    assert FiguresSnapshot.objects.count() == 2
    assert other.get(URL).status_code == 200


def test_a_stale_snapshot_is_recomputed(slow, users, client_for):
    client = client_for(users[Role.COORDINATEUR])
    MediationFactory()
    client.get(URL)
    FiguresSnapshot.objects.update(computed_at=timezone.now() - datetime.timedelta(hours=2))
    MediationFactory()
    assert _mediations_kpi(client.get(URL)) == 2


def test_a_conseillers_own_figures_are_never_stored(slow, users, client_for):
    conseiller = users[Role.CONSEILLER]
    client = client_for(conseiller)
    MediationFactory(conseiller=conseiller)
    assert _mediations_kpi(client.get(URL)) == 1
    MediationFactory(conseiller=conseiller)
    assert _mediations_kpi(client.get(URL)) == 2
    assert not FiguresSnapshot.objects.exists()


def test_refresh_forgets_views_nobody_looked_at(slow, users, client_for):
    client_for(users[Role.COORDINATEUR]).get(URL)
    FiguresSnapshot.objects.update(last_used_at=timezone.now() - datetime.timedelta(days=30))
    call_command("refresh_figures", stdout=io.StringIO())
    assert not FiguresSnapshot.objects.exists()


def test_refreshing_a_view_does_not_count_as_looking_at_it(slow, users, client_for):
    """Else a view looked at once is recomputed every ten minutes for ever."""
    client_for(users[Role.COORDINATEUR]).get(URL)
    seen = timezone.now() - datetime.timedelta(days=6, hours=23)
    FiguresSnapshot.objects.update(last_used_at=seen)
    call_command("refresh_figures", stdout=io.StringIO())
    assert FiguresSnapshot.objects.get().last_used_at == seen
    FiguresSnapshot.objects.update(last_used_at=seen - datetime.timedelta(hours=2))
    call_command("refresh_figures", stdout=io.StringIO())  # a week later, nobody looked
    assert not FiguresSnapshot.objects.exists()


def test_the_api_serves_a_long_computation_from_its_snapshot(slow, users, client):
    from poitiers_inclusion.models import ApiToken

    token = ApiToken.issue(users[Role.COORDINATEUR])
    headers = {"Authorization": f"Bearer {token}"}
    api = reverse("reporting_api:statistics")
    MediationFactory()
    first = client.get(api, headers=headers).json()
    assert first["mediations"]["total"] == 1 and first["calcule_le"]
    MediationFactory()
    second = client.get(api, headers=headers).json()
    assert second["mediations"]["total"] == 1  # stored; calcule_le says when
    assert second["calcule_le"] == first["calcule_le"]
    call_command("refresh_figures", stdout=io.StringIO())
    assert client.get(api, headers=headers).json()["mediations"]["total"] == 2


@pytest.mark.django_db(transaction=True)
def test_refresh_runs_one_at_a_time(slow, users, client_for):
    from django.db import connections

    from reporting.management.commands.refresh_figures import LOCK_ID

    client_for(users[Role.COORDINATEUR]).get(URL)
    other = connections.create_connection("default")  # another process, holding the lock
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        out = io.StringIO()
        call_command("refresh_figures", stdout=out)
        assert "déjà en cours" in out.getvalue()
    finally:
        # Release before closing: a closed session's locks are freed by its server process a
        # moment later, and the next run would race it.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        other.close()
    out = io.StringIO()
    call_command("refresh_figures", stdout=out)
    assert "1 vue(s) recalculée(s)" in out.getvalue()
