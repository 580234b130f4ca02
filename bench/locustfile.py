"""The load test of issue 14 (`make load`): 50 conseillers logging médiations and browsing « Mon
activité », 5 coordinateurs filtering the dashboard and downloading its exports.

Run by reporting/management/commands/bench_load.py, headless, for a fixed number of users and
seconds, against `make prod`'s gunicorn on this machine: any host other than 127.0.0.1 or
localhost is refused before a request leaves. The accounts come from the environment, written by
`bench_load` for the run: BENCH_LOAD_CONSEILLERS and BENCH_LOAD_COORDINATEURS (e-mail addresses
separated by commas) and BENCH_LOAD_PASSWORD.

Every request is named by its kind (`name=`): locust's statistics, and the p95 that `bench_load`
checks against 300 ms, are per kind. Redirects are not followed, so that each answer is checked
(a sign-in page instead of the form is a failure) and timed alone. The application expects a
reverse proxy that ends HTTPS: requests say X-Forwarded-Proto: https, as the proxy does, and POSTs
carry the Origin a browser sends (the CSRF check compares it).

`python bench/locustfile.py --one-round URL` plays each user's start and every task once, and
fails on any failed request (tests/reporting/test_bench_load.py).
"""

import datetime
import itertools
import os
import random
import re
import sys
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOGIN, HOME = "/connexion/", "/permanences/accueil/"
LOG, ACTIVITY = "/permanences/saisir/", "/permanences/activite/"
ACTIVITY_TOTALS = "/permanences/activite/totaux/"
DASHBOARD, DASHBOARD_XLSX = "/pilotage/", "/pilotage/export.xlsx"
# What the log form's choices are worth (permanences/enums.py): a one-round run proves them.
THEMES = (
    "email",
    "navigation_sur_internet",
    "prendre_en_main_du_materiel",
    "aide_aux_demarches_administratives",
    "securite_numerique",
    "bureautique",
    "sante",
)
DURATIONS = ("15", "30", "30", "45", "60")
# The generated médiations' years (generate_bench_data: four years from January 2022).
YEARS = (2022, 2023, 2024, 2025)
# The load lasts this long once every user is signed in (bench_load sets it); signing in may take
# SIGN_IN_LIMIT at most (a password check costs about half a second of one core, on purpose).
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS") or 60)
SIGN_IN_LIMIT = 180
DASHBOARD_FILTERS = ("lieu", "quartier", "conseiller", "type", "thematique")
ACTIVITY_FILTERS = ("lieu", "type_activite", "thematique")


def check_host(url: str | None) -> None:
    """Refuse anything but this machine: a load test aimed elsewhere is an attack."""
    parts = urlsplit(url or "")
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(
            f"Le test de charge ne vise que cette machine (http://127.0.0.1:PORT), pas « {url} »."
        )


@events.init.add_listener
def _refuse_other_hosts(environment, **kwargs):
    check_host(environment.host)


class Page(HTMLParser):
    """What a browser would read on a page: its fields' values, its choices, its links."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}  # inputs (first of each name)
        self.options: dict[str, list[str]] = {}  # select -> non-empty option values
        self.selected: dict[str, str] = {}
        self.links: list[str] = []
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("radio", "checkbox"):
            self.values.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.options.setdefault(name, [])
        elif tag == "option" and self._select and attrs.get("value"):
            self.options[self._select].append(attrs["value"])
            if "selected" in attrs:
                self.selected.setdefault(self._select, attrs["value"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


_next = {kind: itertools.count() for kind in ("BENCH_LOAD_CONSEILLERS", "BENCH_LOAD_COORDINATEURS")}


def _account(kind: str) -> str:
    """Each user of a kind its own account, in turn."""
    emails = [e for e in os.environ.get(kind, "").split(",") if e]
    if not emails or not os.environ.get("BENCH_LOAD_PASSWORD"):
        raise StopUser(f"{kind} et BENCH_LOAD_PASSWORD manquent : lancez `make load`.")
    return emails[next(_next[kind]) % len(emails)]


_signed_in = {"count": 0}
_everyone_in = Event()


def _one_more_in(environment) -> None:
    """Counts the users signed in (or given up); the last one starts the timed load, which ends
    SECONDS later. Without a runner (one round), nobody waits."""
    runner = environment.runner
    _signed_in["count"] += 1
    if runner is None or _signed_in["count"] < runner.target_user_count:
        return
    if not _everyone_in.is_set():
        _everyone_in.set()
        print(f"Tous les utilisateurs sont connectés : {SECONDS:g} s de charge.", file=sys.stderr)
        gevent.spawn_later(SECONDS, runner.quit)


class BehindTheProxy(DefaultCookiePolicy):
    """Secure cookies go back over the plain HTTP between the proxy and gunicorn, as the proxy
    passes on what the browser sent over HTTPS."""

    def return_ok_secure(self, cookie, request):
        return True


class Person(FastHttpUser):
    """Someone signed in, who reads each page before the next action."""

    abstract = True
    default_headers = {"X-Forwarded-Proto": "https"}
    connection_timeout = network_timeout = 60.0

    def __init__(self, environment):
        super().__init__(environment)
        self.client.cookiejar.set_policy(BehindTheProxy())

    def on_start(self):
        """Sign in, then wait for everyone: what is timed is the work of people signed in (their
        sign-in, slow on purpose, is measured apart, before)."""
        check_host(self.host)
        self.rng = random.Random()
        try:
            page = self.fetch("GET", LOGIN, "connexion : page", read=True)
            email = _account(self.accounts)
            self.fetch(
                "POST",
                LOGIN,
                "connexion : envoi",
                expect=302,
                data={
                    "csrfmiddlewaretoken": page.values.get("csrfmiddlewaretoken", ""),
                    "username": email,
                    "password": os.environ["BENCH_LOAD_PASSWORD"],
                    "next": "",
                },
            )
        finally:
            _one_more_in(self.environment)
        if not self.location or self.location.startswith(LOGIN):
            raise StopUser("connexion refusée")
        if self.environment.runner is not None:
            _everyone_in.wait(timeout=SIGN_IN_LIMIT)
            # People do not act in step: each starts after a pause drawn like the ones between
            # their actions. (Released all at once, the 55 first requests queued together on
            # two cores and made a third of each kind's samples: a burst no office produces.)
            gevent.sleep(self.wait_time())

    def fetch(self, method, url, name, *, expect=200, data=None, read=False, htmx=False) -> Page:
        """One request, checked: the expected status (a redirect to the sign-in page is not a
        page); with read, the page read as a browser would (parsing costs the machine's CPU, shared
        with the server: only the pages whose fields or links are used)."""
        headers, body = {}, None
        if data is not None:
            origin = urlsplit(self.host)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{origin.netloc}",
            }
            body = urlencode(data, doseq=True)
        if htmx:  # what the page's script asks for once it is shown
            headers = {**headers, "HX-Request": "true"}
        with self.client.request(
            method,
            url,
            name=name,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "") if answer.headers else ""
            if answer.status_code != expect:
                answer.failure(f"{answer.status_code} au lieu de {expect} {location}".strip())
            elif expect == 302 and location.startswith(LOGIN):
                answer.failure("renvoyé vers la page de connexion")
            else:
                answer.success()
            self.location = location
            content_type = answer.headers.get("Content-Type", "") if answer.headers else ""
            html = read and content_type.startswith("text/html")
            return Page(answer.text if html else "")

    def period(self) -> dict:
        """A period a person picks: none, a year, a quarter, a month, the last ninety days."""
        kind = self.rng.choice(("aucune", "année", "trimestre", "mois", "90 jours"))
        year = self.rng.choice(YEARS)
        if kind == "année":
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        elif kind == "trimestre":
            month = self.rng.choice((1, 4, 7, 10))
            start, end = datetime.date(year, month, 1), _month_end(year, month + 2)
        elif kind == "mois":
            month = self.rng.randrange(1, 13)
            start, end = datetime.date(year, month, 1), _month_end(year, month)
        elif kind == "90 jours":
            end = datetime.date.today()
            start = end - datetime.timedelta(days=90)
        else:
            return {}
        return {"du": start.isoformat(), "au": end.isoformat()}

    def some_of(self, choices: dict[str, list[str]], names, chance: float) -> dict:
        return {
            name: self.rng.choice(choices[name])
            for name in names
            if choices.get(name) and self.rng.random() < chance
        }


class Conseiller(Person):
    fixed_count = 50
    accounts = "BENCH_LOAD_CONSEILLERS"
    wait_time = between(5, 20)

    @task(3)
    def log_mediation(self):
        form = self.fetch("GET", LOG, "saisie : formulaire", read=True)
        lieux = form.options.get("lieu") or [""]
        data = {
            "csrfmiddlewaretoken": form.values.get("csrfmiddlewaretoken", ""),
            # The form's one-time token ({% submission_token %}): a new one for each form.
            "submission_token": form.values.get("submission_token", ""),
            "date": form.values.get("date") or datetime.date.today().isoformat(),
            "type_activite": "individuel",
            "type_lieu": "lieu_activite",
            "lieu": form.selected.get("lieu") or self.rng.choice(lieux),
            "duree": self.rng.choice(DURATIONS),
            "duree_autre": "",
            "thematiques": self.rng.sample(THEMES, self.rng.choice((1, 1, 2, 3))),
            "redirige": "non",
            "usager_mode": "anonyme",
            "enregistrer": "",
        }
        self.fetch("POST", LOG, "saisie : envoi", expect=302, data=data)
        if self.location.endswith(HOME):
            self.fetch("GET", HOME, "accueil du conseiller")

    @task(2)
    def browse_activity(self):
        first = self.fetch("GET", ACTIVITY, "activité : page 1", read=True)
        self.fetch("GET", ACTIVITY_TOTALS, "activité : totaux", htmx=True)
        pages = [int(n) for link in first.links for n in re.findall(r"[?&]page=(\d+)", link)]
        for number in self.rng.sample(range(2, max(pages, default=1) + 1), min(2, len(pages))):
            self.fetch("GET", f"{ACTIVITY}?page={number}", "activité : autre page")
        query = {**self.period(), **self.some_of(first.options, ACTIVITY_FILTERS, 0.4)}
        self.fetch("GET", f"{ACTIVITY}?{urlencode(query)}", "activité : filtrée")
        self.fetch("GET", f"{ACTIVITY_TOTALS}?{urlencode(query)}", "activité : totaux", htmx=True)


class Coordinateur(Person):
    fixed_count = 5
    accounts = "BENCH_LOAD_COORDINATEURS"
    wait_time = between(10, 30)

    def on_start(self):
        super().on_start()
        page = self.fetch("GET", DASHBOARD, "tableau de bord : sans filtre", read=True)
        self.choices = page.options
        # The tables' export links, without their query (the filters are drawn each time).
        self.tables = sorted(
            {
                link.split("?")[0]
                for link in page.links
                if re.match(r"/pilotage/export/.+\.csv", link)
            }
        )

    def filters(self) -> dict:
        return {**self.period(), **self.some_of(self.choices, DASHBOARD_FILTERS, 0.3)}

    @task(4)
    def dashboard(self):
        query = self.filters()
        name = "tableau de bord : filtré" if query else "tableau de bord : sans filtre"
        self.fetch("GET", f"{DASHBOARD}?{urlencode(query)}", name)

    @task(2)
    def export_table(self):
        if not self.tables:
            return
        table = self.rng.choice(self.tables)
        kind = self.rng.choice(("CSV", "Excel"))
        if kind == "Excel":
            table = table.removesuffix(".csv") + ".xlsx"
        self.fetch("GET", f"{table}?{urlencode(self.filters())}", f"export d'un tableau ({kind})")

    @task(1)
    def export_dashboard(self):
        self.fetch("GET", f"{DASHBOARD_XLSX}?{urlencode(self.filters())}", "export complet (Excel)")


def one_round(host: str) -> int:
    """Each user's start and every task once, in this process; 0 when no request failed."""
    from locust.env import Environment

    check_host(host)
    done, failed = [], []

    def seen(name, exception=None, **kwargs):
        (failed if exception else done).append(f"{name}{f' : {exception}' if exception else ''}")

    environment = Environment(user_classes=[Conseiller, Coordinateur], host=host)
    environment.events.request.add_listener(seen)
    for kind in (Conseiller, Coordinateur):
        kind.host = host  # what locust's runner does with --host
        user = kind(environment)
        user.on_start()
        for action in dict.fromkeys(kind.tasks):
            action(user)
    print(f"{len(done)} requêtes réussies :", ", ".join(sorted(set(done))))
    for failure in failed:
        print("ÉCHEC", failure, file=sys.stderr)
    return 1 if failed or not done else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--one-round":
        raise SystemExit("Usage : python bench/locustfile.py --one-round http://127.0.0.1:PORT")
    sys.exit(one_round(sys.argv[2]))
