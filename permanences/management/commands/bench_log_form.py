"""bench_log_form: the server time of the log form's POST, with N médiations in the database.

Meant for a database of its own (`make bench` sets EMBEDDED_DB_NAME=bench): it first tops the
database up to N médiations with `generate_bench_data`, then logs in as an active conseiller (one
with a permanence today when there is one) and POSTs M valid individual anonymous médiations to
the log form, as the conseiller's browser sends them (no GET of the form first). Each POST is timed
whole (`Client.post`: middleware, form, `record_mediation`, audit, redirect), after five warm-up
POSTs not counted; as many again with the figures store's change log switched off (its
triggers; in blocks taken in turn) show what the log costs. It prints p50, p95 and max — target
p50 < 50 ms, p95 < 150 ms — and deletes the médiations it created (and their anonymous usagers) so that repeated runs do not grow the database; their audit
events stay, the audit log being append-only.
"""

import io
import math
import random
import statistics
import time
import uuid
import warnings

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager, User
from reseau.models import Lieu

from ...enums import OuiNon, Thematique, TypeActivite, TypeLieu, UsagerMode
from ...figures import store
from ...models import Accompagnement, Mediation, Permanence

WARMUP = 5
TARGET_P50_MS, TARGET_P95_MS = 50, 150
BLOCKS = 4
HOST = "127.0.0.1"
# Thématiques a conseiller ticks most often, and how many at once.
COMMON_THEMES = [
    Thematique.EMAIL,
    Thematique.NAVIGATION_SUR_INTERNET,
    Thematique.PRENDRE_EN_MAIN_DU_MATERIEL,
    Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES,
    Thematique.SECURITE_NUMERIQUE,
    Thematique.BUREAUTIQUE,
    Thematique.SANTE,
]


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _conseiller_and_lieu():
    """An active conseiller, one with a permanence today first, and the lieu to log at."""
    conseillers = User.objects.filter(role=Role.CONSEILLER, is_active=True).order_by("pk")
    if not conseillers.exists():
        raise CommandError("Aucun conseiller actif : lancez d'abord `manage.py demo`.")
    for conseiller in conseillers:
        slot = (
            Permanence.objects.conseiller_slots(conseiller)
            .filter(lieu__in=Lieu.objects.active())
            .first()
        )
        if slot is not None:
            return conseiller, slot.lieu
    lieu = Lieu.objects.active().order_by("pk").first()
    if lieu is None:
        raise CommandError("Aucun lieu actif : lancez d'abord `manage.py demo`.")
    return conseillers.first(), lieu


class Command(BaseCommand):
    help = "Banc d'essai : temps serveur de l'enregistrement d'une médiation (POST du formulaire)."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument("--posts", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, mediations, posts, seed, **options):
        if posts < 1:
            raise CommandError("--posts doit valoir au moins 1.")
        if connection.settings_dict["NAME"] in ("postgres", ""):
            self.stdout.write(
                "Attention : base de développement. `make bench` utilise EMBEDDED_DB_NAME=bench."
            )
        conseillers = User.objects.filter(role=Role.CONSEILLER, is_active=True)
        if Lieu.objects.exists() and not conseillers.exists():
            # generate_bench_data loads the demo only into an empty database.
            raise CommandError("Aucun conseiller actif : lancez d'abord `manage.py demo`.")
        call_command("generate_bench_data", mediations=mediations, stdout=self.stdout)
        conseiller, lieu = _conseiller_and_lieu()
        rng = random.Random(seed)
        tokens: list[str] = []
        client = Client(SERVER_NAME=HOST)
        # Production settings for the measure: no query log (DEBUG), the host accepted.
        hosts = [*settings.ALLOWED_HOSTS, HOST]
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts), warnings.catch_warnings():
            # Without DEBUG, whitenoise looks for collected static files, useless for a POST.
            warnings.filterwarnings("ignore", message="No directory at")
            client.force_login(conseiller)
            try:
                for _ in range(WARMUP):
                    self._post(client, self._data(rng, lieu, tokens))
                # Blocks with and without the figures store's change log (its triggers), in
                # turn, so that neither gets the warmer caches: the log's cost.
                times, before = [], []
                for block in range(BLOCKS):
                    size = posts // BLOCKS + (block < posts % BLOCKS)
                    times += [
                        self._post(client, self._data(rng, lieu, tokens)) for _ in range(size)
                    ]
                    with store.without_change_log():
                        before += [
                            self._post(client, self._data(rng, lieu, tokens)) for _ in range(size)
                        ]
            finally:
                removed = self._clean_up(tokens)
                # What was written without the log is missing from it: rewrite the store.
                call_command("rebuild_figures_store", stdout=io.StringIO())
        self._report(conseiller, lieu, times, removed)
        ms = sorted(t * 1000 for t in times)
        without = sorted(t * 1000 for t in before)
        size = mediations
        record(
            self.stdout,
            "log_form_p50",
            "POST du formulaire de saisie : p50",
            statistics.median(ms),
            "ms",
            target=TARGET_P50_MS,
            size=size,
        )
        record(
            self.stdout,
            "log_form_p95",
            "POST du formulaire de saisie : p95",
            _percentile(ms, 0.95),
            "ms",
            target=TARGET_P95_MS,
            size=size,
        )
        record(
            self.stdout,
            "log_form_p50_without_change_log",
            "POST, sans le journal des changements des chiffres : p50",
            statistics.median(without),
            "ms",
            size=size,
        )

    def _data(self, rng: random.Random, lieu, tokens: list[str]) -> dict:
        """A realistic individual anonymous médiation, as the browser sends it."""
        token = str(uuid.uuid4())
        tokens.append(token)
        themes = rng.sample(COMMON_THEMES, rng.choice((1, 1, 1, 2, 2, 3)))
        return {
            "date": timezone.localdate().isoformat(),
            "type_activite": TypeActivite.INDIVIDUEL.value,
            "type_lieu": TypeLieu.LIEU_ACTIVITE.value,
            "lieu": str(lieu.pk),
            "duree": str(rng.choice((15, 30, 30, 30, 45, 60))),
            "duree_autre": "",
            "thematiques": [t.value for t in themes],
            "redirige": OuiNon.NON.value,
            "usager_mode": UsagerMode.ANONYME.value,
            "submission_token": token,
        }

    def _post(self, client: Client, data: dict) -> float:
        """One timed POST; seconds. A real browser reads the flash message on the next page:
        drop it, so messages do not pile up in the cookie (and then the session)."""
        url = reverse("permanences:log")
        started = time.perf_counter()
        response = client.post(url, data)
        took = time.perf_counter() - started
        client.cookies.pop("messages", None)
        if response.status_code != 302 or response.url != reverse("permanences:home"):
            raise CommandError(
                f"Le POST du formulaire a répondu {response.status_code} "
                f"({response.get('Location', 'sans redirection')}) au lieu d'une redirection "
                "vers l'accueil : les données envoyées ne sont pas valides ?"
            )
        return took

    def _clean_up(self, tokens: list[str]) -> int:
        """Delete the médiations this run created and the anonymous usagers made for them."""
        created = Mediation.objects.filter(submission_token__in=tokens)
        usager_ids = list(
            Accompagnement.objects.filter(mediation__in=created).values_list("usager_id", flat=True)
        )
        ids = list(created.values_list("pk", flat=True))
        Accompagnement.objects.filter(mediation_id__in=ids).delete()
        Mediation.objects.filter(pk__in=ids).delete()
        Usager.objects.filter(
            pk__in=usager_ids, consent_at__isnull=True, accompagnements__isnull=True
        ).delete()
        return len(ids)

    def _report(self, conseiller, lieu, times: list[float], removed: int) -> None:
        ms = [t * 1000 for t in times]
        p50, p95 = statistics.median(ms), _percentile(ms, 0.95)
        count = Mediation.objects.count()
        verdict = "OK" if p50 < TARGET_P50_MS else "au-dessus de l'objectif"
        self.stdout.write(
            f"\nMédiations en base : {count:,}".replace(",", " ")
            + f"\nPOST du formulaire de saisie ({len(ms)} envois, {WARMUP} d'échauffement non "
            f"comptés ; conseiller {conseiller.email}, lieu « {lieu.nom} ») :\n"
            f"  p50 : {p50:.1f} ms\n"
            f"  p95 : {p95:.1f} ms\n"
            f"  max : {max(ms):.1f} ms\n"
            f"  objectif p50 < {TARGET_P50_MS} ms : {verdict}\n"
            f"{removed} médiations du banc d'essai supprimées (le journal d'audit les garde)."
        )
