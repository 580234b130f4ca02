"""bench_lists: the médiation list and the usager search at N médiations: server time (best of a
few GETs) and SQL queries, on a first and a far page, so that a query count growing with the rows
shows (target: the same count on both pages, < 100 ms).

Meant for the bench database (`make bench`), after `generate_bench_data`.
"""

import time
import warnings

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permanences.models import Accompagnement
from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User

TARGET_MS = 100
HOST = "127.0.0.1"


class Command(BaseCommand):
    help = "Banc d'essai : liste des médiations et recherche d'usagers (temps, requêtes)."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, mediations, repeat, **options):
        coordinator = User.objects.filter(role=Role.COORDINATEUR, is_active=True).first()
        # The busiest conseiller: the most people and médiations to page through.
        conseiller = (
            User.objects.filter(role=Role.CONSEILLER, is_active=True)
            .annotate(done=Count("mediations"))
            .order_by("-done", "pk")
            .first()
        )
        if coordinator is None or conseiller is None:
            raise CommandError("Il faut un coordinateur et un conseiller : `manage.py demo`.")
        pages = [
            ("activity_coordinator", coordinator, "permanences:activity", {}, "Médiations"),
            ("activity_conseiller", conseiller, "permanences:activity", {}, "Mes médiations"),
            ("usager_list", coordinator, "permanences:usager_list", {}, "Usagers"),
            ("usager_list_conseiller", conseiller, "permanences:usager_list", {}, "Mes usagers"),
            ("usager_search", conseiller, "permanences:usager_search", {"q": "ma"}, "Recherche"),
        ]
        hosts = [*settings.ALLOWED_HOSTS, HOST]
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts), warnings.catch_warnings():
            # Without DEBUG, whitenoise looks for collected static files, useless here.
            warnings.filterwarnings("ignore", message="No directory at")
            for key, user, name, params, label in pages:
                client = Client(SERVER_NAME=HOST)
                client.force_login(user)
                counts = []
                for page in ("1", "200"):
                    took, queries = self._get(
                        client, reverse(name), {**params, "page": page}, repeat
                    )
                    counts.append(queries)
                    record(
                        self.stdout,
                        f"{key}_page{page}_ms",
                        f"{label}, page {page} : temps",
                        took * 1000,
                        "ms",
                        target=TARGET_MS,
                        size=mediations,
                    )
                record(
                    self.stdout,
                    f"{key}_queries_growth",
                    f"{label} : requêtes page 200 − page 1 ({counts[0]} puis {counts[1]})",
                    counts[1] - counts[0],
                    "req",
                    target=1,
                    size=mediations,
                )

            # The list's totals come in a request of their own (htmx): every activity the filters
            # select, from the figures store.
            for key, user, label in (
                ("activity_totals_coordinator", coordinator, "Médiations"),
                ("activity_totals_conseiller", conseiller, "Mes médiations"),
            ):
                client = Client(SERVER_NAME=HOST, headers={"HX-Request": "true"})
                client.force_login(user)
                took, _queries = self._get(
                    client, reverse("permanences:activity_totals"), {}, repeat
                )
                record(
                    self.stdout,
                    f"{key}_ms",
                    f"{label} : totaux sans filtre (requête à part)",
                    took * 1000,
                    "ms",
                    size=mediations,
                )

            # A person's record, the most followed one: their history and what the viewer
            # does not see of it.
            followed = (
                Accompagnement.objects.values("usager")
                .annotate(visits=Count("pk"))
                .order_by("-visits")
                .first()
            )
            if followed is not None:
                client = Client(SERVER_NAME=HOST)
                client.force_login(coordinator)
                url = reverse("permanences:usager_detail", kwargs={"pk": followed["usager"]})
                took, _queries = self._get(client, url, {}, repeat)
                record(
                    self.stdout,
                    "usager_detail_ms",
                    f"Fiche de l'usager le plus suivi ({followed['visits']} passages) : temps",
                    took * 1000,
                    "ms",
                    target=TARGET_MS,
                    size=mediations,
                )

    def _get(self, client, url, params, repeat) -> tuple[float, int]:
        best, queries = float("inf"), 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, params)
                took = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{url} a répondu {response.status_code}.")
            best, queries = min(best, took), len(captured)
        return best, queries
