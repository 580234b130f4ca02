"""`make load`'s pieces that need no load: its accounts (made once, on a bench database only,
locked after), the history they are given, what the run deletes afterwards, and the locustfile:
it refuses any host but this machine, and each of its users plays a round against a live server.

The locustfile's tests need locust, which `make test` installs (the `test` extra) as `make load`
does (the `bench` extra): they are never skipped."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from permanences.models import Mediation, Permanence
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User
from reporting.management.commands.bench_load import (
    LOCUSTFILE,
    clean_up,
    give_history,
    load_accounts,
    lock_accounts,
)
from tests.factories import LieuFactory, UserFactory
from tests.permanences.factories import MediationFactory, PermanenceFactory


def _bench_database(mediations=40):
    UserFactory(conseiller=True)
    LieuFactory()
    for weekday in range(4):
        PermanenceFactory(weekday=weekday, valid_from=datetime.date(2020, 1, 1))
    call_command("generate_bench_data", mediations=mediations, stdout=io.StringIO())


def _signs_in(email, password) -> bool:
    return authenticate(RequestFactory().post("/connexion/"), username=email, password=password)


@pytest.mark.django_db
def test_the_accounts_are_made_once_with_a_new_password_each_run_and_locked_after():
    _bench_database()
    first = load_accounts(conseillers=3, coordinateurs=2)
    second = load_accounts(conseillers=3, coordinateurs=2)

    assert first["conseillers"] == second["conseillers"] and len(second["conseillers"]) == 3
    everyone = second["conseillers"] + second["coordinateurs"]
    accounts = User.objects.filter(email__in=everyone)
    assert accounts.count() == 5
    assert set(accounts.filter(role=Role.CONSEILLER).values_list("email", flat=True)) == set(
        second["conseillers"]
    )
    assert accounts.filter(role=Role.COORDINATEUR).count() == 2
    assert first["password"] != second["password"]
    assert not _signs_in(everyone[0], first["password"])
    assert all(_signs_in(email, second["password"]) for email in everyone)
    # Each conseiller is on drop-in slots, once (the second run added none).
    through = Permanence.conseillers.through
    on_slots = through.objects.filter(user__email__in=second["conseillers"])
    assert set(on_slots.values_list("user__email", flat=True)) == set(second["conseillers"])
    assert on_slots.count() == 4  # four slots dealt in turn to three conseillers

    lock_accounts(everyone)
    assert not any(_signs_in(email, second["password"]) for email in everyone)


@pytest.mark.django_db
def test_no_accounts_on_a_database_without_bench_data():
    UserFactory(conseiller=True)
    MediationFactory()
    with pytest.raises(CommandError, match="base de banc d'essai"):
        load_accounts(conseillers=1, coordinateurs=1)
    assert not User.objects.filter(email__endswith="@banc-essai.invalid").exists()


@pytest.mark.django_db
def test_the_conseillers_get_a_past_once_and_only_what_the_load_logged_is_deleted():
    _bench_database(mediations=60)
    accounts = load_accounts(conseillers=3, coordinateurs=1)

    moved = give_history(accounts["conseillers"])
    assert moved > 0
    assert give_history(accounts["conseillers"]) == 0  # already theirs
    theirs = Mediation.objects.filter(conseiller__email__in=accounts["conseillers"])
    assert theirs.count() == moved
    assert theirs.values("conseiller").distinct().count() == 3

    conseiller = User.objects.get(email=accounts["conseillers"][0])
    logged = MediationFactory(conseiller=conseiller)
    assert clean_up(accounts["conseillers"]) == 1
    assert not Mediation.objects.filter(pk=logged.pk).exists()
    assert theirs.count() == moved  # their generated past stays
    assert Mediation.objects.count() == 60


def _locust_env(accounts, **extra) -> dict:
    return {
        **os.environ,
        "BENCH_LOAD_PASSWORD": accounts["password"],
        "BENCH_LOAD_CONSEILLERS": ",".join(accounts["conseillers"]),
        "BENCH_LOAD_COORDINATEURS": ",".join(accounts["coordinateurs"]),
        **extra,
    }


def test_the_locustfile_refuses_any_host_but_this_machine():
    for host in ("http://example.org", "https://127.0.0.1:8000", "http://10.0.0.1:8000"):
        run = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
            + ["-u", "1", "-r", "1", "-t", "5s", "--host", host, "--only-summary"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode != 0, run.stderr
        assert "ne vise que cette machine" in run.stderr
        assert "Aggregated" not in run.stdout + run.stderr  # no request made, no statistics


@pytest.mark.django_db(transaction=True)
def test_one_round_of_each_user_succeeds_against_the_application(live_server):
    _bench_database(mediations=80)
    accounts = load_accounts(conseillers=1, coordinateurs=1)
    give_history(accounts["conseillers"])  # 80 médiations: « Mon activité » has pages

    run = subprocess.run(
        [sys.executable, str(LOCUSTFILE), "--one-round", live_server.url],
        env=_locust_env(accounts),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    for kind in (
        "connexion : envoi",
        "saisie : formulaire",
        "saisie : envoi",
        "accueil du conseiller",
        "activité : page 1",
        "activité : autre page",
        "activité : filtrée",
        "activité : totaux",
        "tableau de bord : sans filtre",
        "export complet (Excel)",
    ):
        assert kind in run.stdout, (kind, run.stdout)
    # The médiation was logged through the form, by the load's conseiller.
    assert clean_up(accounts["conseillers"]) == 1


@pytest.mark.django_db
def test_the_past_dealt_is_one_in_step_even_after_a_top_up_spread_rows_over_them(monkeypatch):
    from reporting.management.commands import bench_load

    monkeypatch.setattr(bench_load, "HISTORY", 5)  # 3 conseillers x 5: one in four of 60
    _bench_database(mediations=60)
    accounts = load_accounts(conseillers=3, coordinateurs=1)
    give_history(accounts["conseillers"])
    # A top-up after the accounts exist: the generator deals rows to them too.
    call_command("generate_bench_data", mediations=120, stdout=io.StringIO())
    give_history(accounts["conseillers"])

    step = 120 // 15
    generated = Mediation.objects.filter(source_donnee="bench")
    theirs = generated.filter(conseiller__email__in=accounts["conseillers"])
    assert set(theirs.values_list("pk", flat=True)) == {
        pk for pk in generated.values_list("pk", flat=True) if pk % step == 0
    }
    assert give_history(accounts["conseillers"]) == 0
