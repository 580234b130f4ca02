"""bench_import: the import of a Coop activities export of N rows (default 100,000), in rows/s.

The file is built for the run, in a temporary directory, from the rows of the real sample
(DESIGN §4, `/work/shared/samples`, copied in tests/permanences/data): the sample repeated, each
repetition with its own ID CRA and its own people (the names get the repetition's number), so
that every row is a new activity for the database. The import is the one of the import page
and of `import_coop` (read with the kernel's bounded reader, plan, apply in one transaction),
timed from the file to the committed rows; then everything it wrote is rolled back, leaving the
bench database as it was. Target (issue 14): ≥ 2,000 rows/s.

The file is read within the Coop import's own limits (COOP_IMPORT_MAX_*, sized for 100,000 rows
and more); only a file past them (--rows above 200,000) has them raised for the run.
"""

import multiprocessing
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from permanences.coop import apply_import, plan_import, read_workbook
from poitiers_inclusion.benchmarks import peak_memory_mb, record
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import User

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "tests/permanences/data/coop-activites-export-conseiller.xlsx"
)
TARGET_ROWS_PER_SECOND = 2000


class _RolledBack(Exception):
    pass


def _sample() -> tuple[list, list, list]:
    """The sample's lines above the header, its header, and its rows."""
    lines = list(load_workbook(SAMPLE, read_only=True)["Activités"].iter_rows(values_only=True))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "Date")
    rows = [line for line in lines[header_at + 1 :] if any(v is not None for v in line)]
    return lines[:header_at], list(lines[header_at]), rows


def write_bench_file(path: Path, rows: int) -> int:
    """An activities export of `rows` rows made from the sample's; returns the rows written."""
    above, header, sample = _sample()
    coop_id, person = header.index("ID CRA"), header.index("Bénéficiaire")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Activités")
    for line in above:
        sheet.append(line)
    sheet.append(header)
    written = 0
    repetition = 0
    while written < rows:
        for values in sample:
            if written == rows:
                break
            values = list(values)
            values[coop_id] = f"{values[coop_id]}-{repetition}"
            name = values[person]
            if name and name.lower() not in ("bénéficiaire anonyme", "anonyme"):
                values[person] = f"{name} {repetition}"
            sheet.append(values)
            written += 1
        repetition += 1
    workbook.save(path)
    return written


def _write_apart(path: Path, rows: int) -> int:
    """write_bench_file in a child process: the peak memory measured is the import's, not that
    of building its file."""
    child = multiprocessing.get_context("fork").Process(
        target=write_bench_file, args=(path, rows), daemon=True
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise CommandError("Le fichier de banc d'essai n'a pas pu être écrit.")
    return rows


class Command(BaseCommand):
    help = "Banc d'essai : import d'un export « Activités » de La Coop de N lignes (lignes/s)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)

    def handle(self, rows, **options):
        conseiller = (
            User.objects.filter(role=Role.CONSEILLER, is_active=True).order_by("pk").first()
        )
        if conseiller is None:
            raise CommandError("Aucun conseiller : lancez d'abord `manage.py demo`.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "activites.xlsx"
            written = _write_apart(path, rows)
            size = path.stat().st_size
            lines = f"{written:,}".replace(",", " ")
            self.stdout.write(f"Fichier de banc d'essai : {lines} lignes, {size / 1e6:.1f} Mo")
            limits = {
                # As in production: with DEBUG, Django keeps the text of every query.
                "DEBUG": False,
                "COOP_IMPORT_MAX_ROWS": max(settings.COOP_IMPORT_MAX_ROWS, written + 100),
                "COOP_IMPORT_MAX_UPLOAD_BYTES": max(settings.COOP_IMPORT_MAX_UPLOAD_BYTES, size),
                "COOP_IMPORT_MAX_UNCOMPRESSED_BYTES": max(
                    settings.COOP_IMPORT_MAX_UNCOMPRESSED_BYTES, 40 * size
                ),
            }
            with override_settings(**limits):
                cpu = time.process_time()
                phases = self._import(path, conseiller)
                cpu = time.process_time() - cpu
        total = sum(phases.values())
        for key, label in (("read", "lecture"), ("plan", "plan"), ("apply", "écriture")):
            record(
                self.stdout,
                f"import_coop_{key}_seconds",
                f"Import Coop de {written} lignes : {label}",
                phases[key],
                "s",
                size=written,
            )
        record(
            self.stdout,
            "import_coop_rows_per_second",
            f"Import Coop de {written} lignes : lignes par seconde",
            written / total,
            "/s",
            target=TARGET_ROWS_PER_SECOND,
            below=False,
            size=written,
        )
        # The machine may be shared: the CPU time of this process (PostgreSQL's aside) tells
        # what the import costs whatever the load.
        record(
            self.stdout,
            "import_coop_cpu_seconds",
            f"Import Coop de {written} lignes : temps processeur (hors PostgreSQL)",
            cpu,
            "s",
            size=written,
        )
        record(
            self.stdout,
            "import_coop_peak_memory",
            f"Import Coop de {written} lignes : mémoire de pointe",
            peak_memory_mb(),
            "Mo",
            target=250,
            size=written,
        )

    def _import(self, path: Path, conseiller) -> dict[str, float]:
        phases = {}
        started = time.perf_counter()
        parsed = read_workbook(path)
        phases["read"] = time.perf_counter() - started
        if parsed.errors:
            raise CommandError(f"Fichier de banc d'essai invalide : {parsed.errors[0]}")
        started = time.perf_counter()
        plan = plan_import(parsed, conseiller=conseiller)
        phases["plan"] = time.perf_counter() - started
        self.stdout.write(
            f"À importer : {plan.accompagnements} accompagnements, "
            f"{plan.unique_usagers} usagers, {len(plan.lieux_to_create)} lieux à créer"
        )
        del plan  # apply_import plans again under its lock, as the import page does
        try:
            with transaction.atomic():
                started = time.perf_counter()
                result = apply_import(parsed=parsed, conseiller=conseiller, actor=None)
                phases["apply"] = time.perf_counter() - started
                self.stdout.write(
                    f"Importé puis annulé : {result.mediations} activités, "
                    f"{result.accompagnements} accompagnements, {result.usagers_created} usagers"
                )
                raise _RolledBack
        except _RolledBack:
            pass
        return phases
