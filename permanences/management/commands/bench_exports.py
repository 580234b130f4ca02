"""bench_exports: the activities export (La Coop's layout) against PostgreSQL's COPY and a bare
openpyxl loop, on the same rows, with the peak memory of each.

Meant for a database of its own (`make bench` sets EMBEDDED_DB_NAME=bench): it first tops the
database up to N médiations with `generate_bench_data`, then exports the accompagnements of the
last days, as many as `--rows` at most (1 M: what issue 14 measures, and less than a worksheet
holds), as a coordinator does from the export page with its « Du » date (every lieu and
conseiller), each measure in a fresh child process so that its peak memory (VmHWM) is the
export's own:

- `copy`: `COPY (SELECT …) TO STDOUT WITH CSV` of the columns the export reads, unformatted, for
  the same rows in the same order, through psycopg2's copy_expert into a temporary file;
- `csv`: the export page's French CSV (the view itself, as a coordinator downloads it);
- `openpyxl`: a bare openpyxl write-only loop appending the export query's rows as they come;
- `xlsx`: the export page's workbook (the view itself).

Targets (issue 14): CSV within 2× COPY, xlsx within 1.3× the bare loop, peak memory < 250 MB.
"""

import datetime
import subprocess
import sys
import tempfile
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from openpyxl import Workbook

from permanences.coop import CITYWIDE_COLUMNS, EXPORT_HEADERS
from permanences.coop.export import RAW_COLUMNS, export_query
from permanences.coop_views import coop_export
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.benchmarks import peak_memory_mb, record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User

KINDS = {
    "copy": "COPY … TO STDOUT (CSV, colonnes brutes)",
    "csv": "Export CSV des activités (page d'export)",
    "openpyxl": "Boucle openpyxl nue (write-only)",
    "xlsx": "Export XLSX des activités (page d'export)",
}
RATIOS = (("csv", "copy", 2.0), ("xlsx", "openpyxl", 1.3))
PEAK_MB = 250
SECONDS = "secondes="  # how a child hands its time to the parent
ROWS = 1_000_000


def first_day(rows: int) -> tuple[datetime.date | None, int]:
    """The earliest day from which the accompagnements number `rows` at most, and how many
    they are (None: every one fits)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT m.date, count(*) FROM permanences_accompagnement a
               JOIN permanences_mediation m ON m.id = a.mediation_id
               GROUP BY m.date ORDER BY m.date DESC"""
        )
        per_day = cursor.fetchall()
    start, taken = None, 0
    for day, count in per_day:
        if taken + count > rows:
            return start, taken
        start, taken = day, taken + count
    return None, taken


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _chosen(start):
    mediations = Mediation.objects.all()
    return mediations if start is None else mediations.filter(date__gte=start)


def _coordinator() -> User:
    user = User.objects.filter(role=Role.COORDINATEUR, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("Aucun coordinateur : lancez d'abord `manage.py demo`.")
    return user


def _download(fmt: str, out, start) -> None:
    query = {"telecharger": "1", "format": fmt}
    if start is not None:
        query["du"] = start.isoformat()
    request = RequestFactory().get("/", query)
    request.user = _coordinator()
    response = coop_export(request)
    if response.status_code != 200:
        raise CommandError(f"La page d'export a répondu {response.status_code}.")
    for chunk in response.streaming_content:
        out.write(chunk)


def _copy(out, start) -> None:
    sql, params = export_query(_chosen(start), CITYWIDE_COLUMNS, columns=RAW_COLUMNS)
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH CSV", out)


def _bare_openpyxl(out, start) -> None:
    sql, params = export_query(_chosen(start), CITYWIDE_COLUMNS, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Activités")
    sheet.append([EXPORT_HEADERS[k] for k in CITYWIDE_COLUMNS])
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            sheet.append(row)
    workbook.save(out)


MEASURES = {
    "copy": _copy,
    "csv": lambda out, start: _download("csv", out, start),
    "openpyxl": _bare_openpyxl,
    "xlsx": lambda out, start: _download("xlsx", out, start),
}


class Command(BaseCommand):
    help = "Banc d'essai : exports des activités face à COPY et à openpyxl seul, mémoire."

    def add_arguments(self, parser):
        parser.add_argument("--mediations", type=int, default=1_000_000)
        parser.add_argument(
            "--rows", type=int, default=ROWS, help="lignes exportées au plus (les derniers jours)"
        )
        parser.add_argument("--du", help="interne : premier jour exporté (AAAA-MM-JJ)")
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="tout mesurer dans ce processus (tests : la mémoire est alors celle du processus)",
        )
        parser.add_argument("--only", choices=list(KINDS), help="interne : une seule mesure")

    def handle(self, mediations, rows, du, in_process, only, **options):
        if only:
            self._measure(only, mediations, du and datetime.date.fromisoformat(du))
            return
        if connection.settings_dict["NAME"] in ("postgres", ""):
            self.stdout.write(
                "Attention : base de développement. `make bench` utilise EMBEDDED_DB_NAME=bench."
            )
        call_command("generate_bench_data", mediations=mediations, stdout=self.stdout)
        start, exported = first_day(rows)
        since = "" if start is None else f", du {start:%d/%m/%Y} à ce jour"
        every = Accompagnement.objects.count()
        self.stdout.write(
            f"\nLignes exportées (accompagnements) : {_number(exported)} sur {_number(every)}"
            + since
        )
        seconds = {}
        for kind in KINDS:
            if in_process:
                seconds[kind] = self._measure(kind, mediations, start)
            else:
                seconds[kind] = self._in_child(kind, mediations, start)
        for kind, baseline, target in RATIOS:
            record(
                self.stdout,
                f"ratio_export_{kind}_vs_{baseline}",
                f"{KINDS[kind]} / {KINDS[baseline]} (rapport)",
                seconds[kind] / max(seconds[baseline], 1e-6),
                "x",
                target=target,
                size=mediations,
            )

    def _in_child(self, kind: str, mediations: int, start) -> float:
        """A fresh process, so that its peak memory is the export's alone."""
        since = [] if start is None else ["--du", start.isoformat()]
        result = subprocess.run(
            [sys.executable, "manage.py", "bench_exports", "--only", kind]
            + ["--mediations", str(mediations), *since],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(result.stderr[-2000:])
        lines = result.stdout.strip().splitlines()
        self.stdout.write("\n".join(line for line in lines if not line.startswith(SECONDS)))
        return float(next(line for line in lines if line.startswith(SECONDS))[len(SECONDS) :])

    def _measure(self, kind: str, mediations: int, start) -> float:
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            MEASURES[kind](out, start)
            took = time.perf_counter() - started
            written = out.tell()
        record(
            self.stdout,
            f"export_{kind}_seconds",
            f"{KINDS[kind]} : durée",
            took,
            "s",
            size=mediations,
        )
        record(
            self.stdout,
            f"export_{kind}_peak_memory",
            f"{KINDS[kind]} : mémoire de pointe",
            peak_memory_mb(),
            "Mo",
            target=PEAK_MB,
            size=mediations,
        )
        self.stdout.write(f"  ({written / 1e6:.1f} Mo écrits)")
        self.stdout.write(f"{SECONDS}{took!r}")
        return took
