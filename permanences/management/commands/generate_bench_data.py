"""generate_bench_data --mediations N: fills the database with N médiations for benchmarks.

Rows go in with PostgreSQL COPY (about a million rows in well under a minute): anonymous usagers
(six for every ten médiations, so people come back), individual médiations spread over four
years, the demo's lieux and conseillers (seven in ten at one of the demo's drop-in slots, on its
weekday, so that attendance figures have work to do), and one accompagnement each. Bench rows are tagged
`source_donnee = "bench"`; the command tops the database up to N bench médiations, so running it
twice does not double the data. Meant for a database of its own (`EMBEDDED_DB_NAME=…`).
"""

import datetime
import io
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from poitiers_inclusion.benchmarks import record
from poitiers_inclusion.enums import Genre, Role, StatutSocial, TrancheAge
from poitiers_inclusion.models import Usager, User
from reseau.models import Lieu, Quartier

from ...enums import Materiel, Thematique, TypeActivite, TypeLieu
from ...figures import store
from ...models import Accompagnement, Mediation, Permanence

BENCH_TAG = "bench"
FIRST_DAY = datetime.date(2022, 1, 3)
DAYS = 4 * 365


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _copy(model, rows, given: list[str]) -> None:
    """COPY rows (tuples in the order of `given`) into model's table; other columns get defaults."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
    missing = [f for f in fields if f.attname not in given]
    defaults = [
        _text(f.get_default() if f.has_default() else ("" if not f.null else None)) for f in missing
    ]
    columns = given + [f.column for f in missing]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([_text(v) for v in row] + defaults))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT text)',
            buffer,
        )


def _next_ids(model, count: int) -> int:
    """Reserve `count` ids from the model's sequence; return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
        )
    return first


class Command(BaseCommand):
    help = "Ajoute des médiations fictives (COPY) jusqu'à N, pour les bancs d'essai."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, required=True)
        parser.add_argument("--batch", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, mediations, batch, seed, **options):
        if not Lieu.objects.exists():
            call_command("demo", "--quiet-accounts", stdout=io.StringIO())
        existing = Mediation.objects.filter(source_donnee=BENCH_TAG).count()
        todo = max(0, mediations - existing)
        self.stdout.write(f"Médiations de banc d'essai : {existing} présentes, {todo} à ajouter.")
        if not todo:
            return
        rng = random.Random(seed + existing)
        lieux = list(Lieu.objects.values_list("id", flat=True))
        quartiers = list(Quartier.objects.values_list("id", flat=True)) or [None]
        conseillers = list(User.objects.filter(role=Role.CONSEILLER).values_list("id", flat=True))
        themes = [t.value for t in Thematique]
        # Seven médiations in ten are logged at a drop-in slot, on one of its days.
        slots = list(
            Permanence.objects.filter(is_one_off=False).values_list(
                "id", "lieu_id", "weekday", "valid_from", "valid_until"
            )
        )

        def place_and_day():
            day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
            if slots and rng.random() < 0.7:
                slot_id, lieu_id, weekday, since, until = rng.choice(slots)
                day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
                if since <= day and (until is None or day <= until):
                    return day, lieu_id, slot_id
            return day, rng.choice(lieux), None

        genres, bands, statuts = Genre.values, TrancheAge.values, StatutSocial.values
        started = time.perf_counter()
        done = 0
        with store.without_change_log(forget_store=True):
            while done < todo:
                n = min(batch, todo - done)
                n_usagers = max(1, int(n * 0.6))
                with transaction.atomic():
                    first_usager = _next_ids(Usager, n_usagers)
                    _copy(
                        Usager,
                        (
                            (
                                first_usager + i,
                                rng.choice(genres),
                                rng.choice(bands),
                                rng.choice(statuts),
                                rng.choice(quartiers),
                                datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC),
                            )
                            for i in range(n_usagers)
                        ),
                        [
                            "id",
                            "genre",
                            "tranche_age",
                            "statut_social",
                            "quartier_id",
                            "created_at",
                        ],
                    )
                    first_mediation = _next_ids(Mediation, n)
                    now = datetime.datetime.now(datetime.UTC)
                    _copy(
                        Mediation,
                        (
                            (
                                first_mediation + i,
                                *place_and_day(),
                                rng.choice(conseillers),
                                TypeActivite.INDIVIDUEL,
                                TypeLieu.LIEU_ACTIVITE,
                                rng.choice((15, 30, 45, 60, 90)),
                                rng.sample(themes, rng.choice((1, 1, 2, 3))),
                                [rng.choice(Materiel.values)],
                                BENCH_TAG,
                                now,
                                now,
                            )
                            for i in range(n)
                        ),
                        [
                            "id",
                            "date",
                            "lieu_id",
                            "permanence_id",
                            "conseiller_id",
                            "type_activite",
                            "type_lieu",
                            "duree_minutes",
                            "thematiques",
                            "materiel",
                            "source_donnee",
                            "created_at",
                            "updated_at",
                        ],
                    )
                    first_acc = _next_ids(Accompagnement, n)
                    _copy(
                        Accompagnement,
                        (
                            (
                                first_acc + i,
                                first_mediation + i,
                                first_usager + rng.randrange(n_usagers),
                            )
                            for i in range(n)
                        ),
                        ["id", "mediation_id", "usager_id"],
                    )
                done += n
                self.stdout.write(
                    f"  {existing + done} médiations ({time.perf_counter() - started:.1f} s)"
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        took = time.perf_counter() - started
        # Rows written: the médiations, their accompagnements and the usagers made for them.
        rows = 2 * todo + sum(
            max(1, int(min(batch, todo - d) * 0.6)) for d in range(0, todo, batch)
        )
        self.stdout.write(f"Fait en {took:.1f} s.")
        record(
            self.stdout,
            "generate_mediations_per_s",
            "Génération (COPY) : médiations par seconde",
            todo / took,
            "/s",
            size=mediations,
        )
        record(
            self.stdout,
            "generate_rows_per_s",
            "Génération (COPY) : lignes par seconde (usagers, médiations, accompagnements)",
            rows / took,
            "/s",
            size=mediations,
        )
