"""run_scheduled: run the scheduled jobs that are due, record each run, and exit (a systemd timer
or cron starts it every minute), or stay up with --loop. See poitiers_inclusion/scheduler.py."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from poitiers_inclusion import scheduler
from poitiers_inclusion.enums import JobOutcome
from poitiers_inclusion.models import JobRun


class Command(BaseCommand):
    help = (
        "Lance les tâches planifiées dont l'heure est venue et enregistre chaque passage ; "
        "à lancer chaque minute (minuteur systemd, cron), ou --loop pour rester lancé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="rester lancé et regarder chaque minute"
        )
        parser.add_argument(
            "--job",
            action="append",
            metavar="NOM",
            help="lancer cette tâche maintenant, quelle que soit son heure (répétable)",
        )
        parser.add_argument(
            "--list", dest="show", action="store_true", help="lister les tâches et leur état"
        )

    def handle(self, *args, loop=False, job=None, show=False, **options):
        self.verbosity = options["verbosity"]
        names = {j.name for j in scheduler.jobs()}
        unknown = sorted(set(job or ()) - names)
        if unknown:
            raise CommandError(
                f"Tâche inconnue : {', '.join(unknown)}. Tâches : {', '.join(sorted(names))}."
            )
        if show:
            self._list()
            return
        if loop:
            self._loop()
            return
        runs = scheduler.run_due(only=job)
        self._report(runs)
        failed = [run.job for run in runs if run.outcome == JobOutcome.FAILED]
        if failed:
            # A non-zero exit: systemd marks the unit failed, cron sends its mail.
            raise CommandError(f"Échec de : {', '.join(failed)} (détail dans le journal).")

    def _report(self, runs):
        """A line per run; with --verbosity 0 only the failures (cron mails whatever is said)."""
        for run in runs:
            counts = ", ".join(f"{key} : {value}" for key, value in run.counts.items())
            seconds = f"{run.duration_seconds:.1f}".replace(".", ",")
            line = f"{run.job} : {run.get_outcome_display().lower()} en {seconds} s"
            if run.outcome == JobOutcome.FAILED:
                self.stderr.write(f"{line} — {run.error}")
            elif self.verbosity >= 1:
                self.stdout.write(f"{line}{f' ({counts})' if counts else ''}.")

    def _list(self):
        now = timezone.now()
        for job in scheduler.jobs():
            last = JobRun.objects.filter(job=job.name).first()
            state = (
                f"dernier passage le {timezone.localtime(last.started_at):%d/%m/%Y %H:%M} : "
                f"{last.get_outcome_display().lower()}"
                if last
                else "jamais lancée"
            )
            due = " ; à lancer maintenant" if scheduler.is_due(job, now) else ""
            self.stdout.write(f"{job.name} ({job.schedule}) — {state}{due}")

    def _loop(self):
        stop = []

        def finish_then_stop(signum, frame):
            # The job under way finishes and is recorded; no new one starts.
            stop.append(signum)

        signal.signal(signal.SIGTERM, finish_then_stop)
        signal.signal(signal.SIGINT, finish_then_stop)
        self.stdout.write("Tâches planifiées : vérification chaque minute (Ctrl+C pour arrêter).")
        loop(stop=stop, on_runs=self._report, log_error=self.stderr.write)


def loop(*, stop: list, on_runs, log_error, sleep=time.sleep, clock=time.time):
    """Run the due jobs at the start of every minute until `stop` holds something."""
    while not stop:
        # A connection kept since the last minute may have died with a database restart.
        close_old_connections()
        try:
            on_runs(scheduler.run_due())
        except DatabaseError as error:
            # The database is away: try again next minute rather than exit.
            log_error(f"Base de données injoignable ({type(error).__name__}) ; nouvel essai.")
        while not stop:
            left = 60 - clock() % 60
            sleep(min(left, 1.0))
            if left <= 1.0:
                break
