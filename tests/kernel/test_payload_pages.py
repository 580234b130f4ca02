"""Every page rendered with markup and script stored in every text field people type: no element
takes an event handler, an image or a script from the data, and files and JSON are never HTML.

The demo's data is loaded, then each text field of the project's models is overwritten with a
payload; every page is then opened by each role (and anonymously), following the links found on
the pages so that detail pages show real objects, and each HTML answer is parsed.
"""

import dataclasses
import datetime
import io
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ateliers.models import Inscription, Seance
from ordinateurs.enums import StatutDon
from ordinateurs.models import Ceremonie, Demande, Don, Donateur, InvitationCeremonie, Ordinateur
from permanences.models import RendezVous
from poitiers_inclusion.enums import Role
from poitiers_inclusion.invitations import invitation_tokens
from poitiers_inclusion.models import ApiToken, AppendOnlyModel, AuditEvent, User
from reporting.models import VuePartagee
from reseau.models import Invitation, Lieu, Orientation, Quartier, Structure, Verification
from tests.browser import login_in_browser
from tests.reporting.factories import ExternalIndicatorFactory, IndicatorImportFactory
from tests.reseau.factories import OffreInternetSocialeFactory
from tests.routes import ROUTES, access, sample_kwargs

pytestmark = pytest.mark.django_db

PAYLOAD = "'\"><img src=x onerror=alert(1)><script>alert(2)</script>"
ESCAPED_PAYLOAD = b"&lt;img src=x onerror=alert(1)&gt;"
SHORT_PAYLOAD = "'\"><i onclick=alert(3)>"  # for fields too short for the whole payload

DEMO_PASSWORD = "demo-inclusion-2022"

PROJECT_APPS = ("kernel", "reseau", "permanences", "ateliers", "ordinateurs", "reporting")

# Text fields left as they are, and why: secrets and keys the app computes (a payload there
# would only break sign-in or the figures cache, nobody types them).
NOT_TYPED = {("User", "password"), ("ApiToken", "key_hash"), ("FiguresSnapshot", "key")}

# Named URLs the walk does not open, and why.
NOT_OPENED = {
    "logout": "ends the session the walk needs",
}

# What a non-HTML answer may be: a browser shows none of these as a page.
FILE_TYPES = (
    "application/json",
    "text/csv",
    "text/plain",  # /.well-known/security.txt: with nosniff, never read as a page
    "text/calendar",  # the iCalendar feeds of the workshops and of each lieu
    "application/pdf",  # certificates, receipts, labels: shown by the PDF reader, never as HTML
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def _carries_payload(model, field) -> bool:
    """Free text someone types. Choices hold an enum's codes (the page shows the label); fields
    with validators besides their length (e-mails, web addresses, SIRET, postal and INSEE codes,
    the réseau's phone numbers, typologie codes) are validated at every way in (forms, imports);
    fields not editable are the tokens of the public links, which the walk needs intact."""
    base = field.base_field if isinstance(field, ArrayField) else field
    if not isinstance(base, models.CharField | models.TextField):
        return False
    if (model.__name__, field.name) in NOT_TYPED or not field.editable or base.choices:
        return False
    return all(isinstance(v, MaxLengthValidator) for v in base.validators)


def _unique_fields(model) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    for together in model._meta.unique_together:
        names.update(together)
    return names


def _text(max_length, reserve=0) -> str:
    room = (max_length or 10_000) - reserve
    text = PAYLOAD if room >= len(PAYLOAD) else SHORT_PAYLOAD
    return text[:room]


def _store_payload():
    """Overwrite every typed text field of the project's records with the payload."""
    _store_payload_in_every_field()
    # The demo and these updates sit in the test's open transaction, which autovacuum never
    # sees: without fresh statistics the planner may pick a plan that takes minutes for the
    # dashboard's figures (seen: a nested loop over the médiations for each usager).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _store_payload_in_every_field():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f for f in model._meta.concrete_fields if _carries_payload(model, f)]
            if not fields:
                continue
            if issubclass(model, AppendOnlyModel):
                _add_payload_copies(model, fields)
                continue
            unique = _unique_fields(model)
            for field in fields:
                _overwrite(model, field, unique)
            files = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
            if files:
                model._default_manager.update(**dict.fromkeys(files, _payload_file()))


def _overwrite(model, field, unique):
    if isinstance(field, ArrayField):
        value = [_text(field.base_field.max_length)]
    elif field.name in unique:
        # One value per row: the payload followed by the row's id.
        value = Concat(
            models.Value(_text(field.max_length, reserve=12)),
            Cast("pk", models.CharField()),
            output_field=models.CharField(),
        )
    else:
        value = _text(field.max_length)
    rows = model._default_manager.all()
    try:
        with transaction.atomic():
            rows.update(**{field.name: value})
    except IntegrityError:
        # A check ties the field to another (identity only with consent, anonymised records
        # keep it empty): the rows that hold a value get the payload.
        empty = [] if isinstance(field, ArrayField) else ""
        rows.exclude(**{field.name: empty}).exclude(**{f"{field.name}__isnull": True}).update(
            **{field.name: value}
        )


def _add_payload_copies(model, fields):
    """Append-only evidence (audit journal, device events, erasures, checks) refuses changes, in
    the model and by a database trigger: a payload copy of each record is added instead."""
    copies = []
    for record in model._default_manager.all():
        record.pk = None
        record._state.adding = True
        for field in fields:
            setattr(record, field.name, _text(field.max_length))
        for field in record._meta.concrete_fields:
            if isinstance(field, models.FileField):
                setattr(record, field.name, _payload_file())
        if isinstance(record, AuditEvent):
            record.changes = {PAYLOAD: PAYLOAD, "champs": [PAYLOAD]}
        copies.append(record)
    model._default_manager.bulk_create(copies)


def _payload_file() -> str:
    """A stored file named and filled with markup: downloads must never be shown as a page."""
    name = "payload/" + PAYLOAD.replace("/", "") + ".html"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(PAYLOAD.encode()))
    return name


class _PageScan(HTMLParser):
    """What in a page could run script taken from the data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_type = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if (
                name in ("href", "src", "action", "formaction")
                and (value or "").strip().lower()[:11] == "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")
        if tag == "script":
            self._script_type = (dict(attrs).get("type") or "text/javascript").lower()
            self._script_text = []

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._script_type is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag != "script" or self._script_type is None:
            return
        text = "".join(self._script_text)
        if "json" in self._script_type:
            if "<" in text:  # json_script writes < as \u003C: data never closes the element
                self.problems.append(f"<script type={self._script_type}> holds a raw '<'")
        elif "alert(" in text:
            self.problems.append(f"<script> runs data: {text[:80]!r}")
        self._script_type = None


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _is_page(response) -> bool:
    download = response.get("Content-Disposition", "").startswith("attachment")
    return response.get("Content-Type", "").startswith("text/html") and not download


def _problems(response, body: bytes) -> list[str]:
    """What could run in a page; for anything else, that a browser will not take it for one."""
    if _is_page(response):
        scan = _PageScan()
        scan.feed(body.decode())
        scan.close()
        return scan.problems
    found = []
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    download = response.get("Content-Disposition", "").startswith("attachment")
    if not download and content_type not in FILE_TYPES:
        found.append(f"réponse de type {content_type!r} ni page ni téléchargement")
    if response.get("X-Content-Type-Options") != "nosniff":
        found.append(f"{content_type} sans X-Content-Type-Options: nosniff")
    return found


_NAMES = {name for name, _ in ROUTES}
EXTRA_VISITS = 4
# Each of their links is a different table, its title and its rows: every one is opened once.
EVERY_LINK = {"reporting:export_table_csv", "reporting:export_table_xlsx"}


def _route_name(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return None
    return name if name in _NAMES and name not in NOT_OPENED else None


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


@dataclasses.dataclass
class _Walk:
    opened: set = dataclasses.field(default_factory=set)  # URL names answered 200
    problems: list = dataclasses.field(default_factory=list)
    extra_visits: dict = dataclasses.field(default_factory=dict)
    pages_showing_payload: int = 0
    every_link_done: set = dataclasses.field(default_factory=set)


def _walk(client, seeds, walk: _Walk, label: str):
    """Open every seed URL, then each named URL linked from the pages; once all are opened, more
    objects of each name (what a detail page shows and links to depends on its object), taken
    from both ends of the lists, up to EXTRA_VISITS per name over all roles."""
    unseen, again = deque(seeds), deque()
    done, names = set(), set()
    while unseen or again:
        if unseen:
            url = unseen.popleft()
        else:
            url = again.popleft() if len(done) % 2 else again.pop()
        name = _route_name(url)
        if name is None or url in done:
            continue
        if name in EVERY_LINK:
            if url in walk.every_link_done:
                continue
            walk.every_link_done.add(url)
        elif name in names and url not in seeds:
            if unseen:
                again.append(url)
                continue
            if walk.extra_visits.get(name, 0) >= EXTRA_VISITS:
                continue
            walk.extra_visits[name] = walk.extra_visits.get(name, 0) + 1
        done.add(url)
        names.add(name)
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            walk.problems.append(f"{label} {url} : erreur {response.status_code}")
            continue
        body = _body(response)  # refusals and expired links are pages too
        walk.problems.extend(f"{label} {url} : {p}" for p in _problems(response, body))
        if response.status_code != 200:
            continue
        walk.opened.add(name)
        if _is_page(response):
            walk.pages_showing_payload += ESCAPED_PAYLOAD in body
            links = _Links()
            links.feed(body.decode())
            for href in links.hrefs:
                (again if _route_name(href) in names else unseen).append(href)


def _no_arg_urls(allowed):
    return [
        reverse(name)
        for name, pattern in ROUTES
        if not pattern.pattern.converters and allowed(access(pattern.callback))
    ]


def _public_link_urls():
    """The pages people open from a link in an e-mail or a shared address."""
    user = User.objects.get(email="conseiller@demo.example")
    links = [
        ("ateliers:registered", Inscription.objects.first().token),
        ("ateliers:cancel_public", Inscription.objects.first().token),
        ("ordinateurs:don_confirm", Don.objects.filter(statut=StatutDon.PROPOSE).first().token),
        ("ordinateurs:don_confirm", Don.objects.filter(statut=StatutDon.CONFIRME).first().token),
        ("ordinateurs:invitation_ceremonie", InvitationCeremonie.objects.get().token),
        ("permanences:booking_done", RendezVous.objects.first().token),
        ("permanences:booking_cancel", RendezVous.objects.first().token),
        ("reseau:orientation_reponse", Orientation.objects.first().answer_token),
        ("reseau:rsvp", Invitation.objects.first().token),
        ("reseau:verification", Verification.objects.first().token),
        ("reporting:share_public", VuePartagee.objects.get().token),
    ]
    urls = [reverse(name, args=[token]) for name, token in links]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    urls.append(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    )
    urls.append(reverse("invitation", args=[uid, invitation_tokens.make_token(user)]))
    return urls


def _records_the_demo_does_not_make():
    coordinator = User.objects.get(email="coordination@demo.example")
    VuePartagee.objects.create(
        titre="Bilan",
        filtres={"du": "2022-01-01"},
        created_by=coordinator,
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    ExternalIndicatorFactory(
        quartier=Quartier.objects.first(), source=IndicatorImportFactory(imported_by=coordinator)
    )
    AuditEvent.objects.create(
        actor=coordinator,
        action="kernel.user.updated",
        target_type=ContentType.objects.get_for_model(User),
        target_id=str(coordinator.pk),
    )
    Don.objects.create(donateur=Donateur.objects.first(), nb_annonce=3)  # announced, not collected
    OffreInternetSocialeFactory().structures.add(Structure.objects.first())
    coming = Ceremonie.objects.create(
        titre="Remise de décembre",
        date=timezone.now() + datetime.timedelta(days=10),
        lieu=Lieu.objects.first(),
    )
    coming.donateurs.set(Donateur.objects.order_by("pk")[:2])
    InvitationCeremonie.objects.create(
        ceremonie=coming, donateur=Donateur.objects.first(), sent_at=timezone.now()
    )
    return ApiToken.issue(coordinator)


# Detail pages whose content and links depend on a state.
STATEFUL = [
    ("ordinateurs:don_detail", Don, "statut"),
    ("ordinateurs:ordinateur_detail", Ordinateur, "etat"),
    ("ordinateurs:demande_detail", Demande, "statut"),
    ("reseau:orientation_detail", Orientation, "etat"),
]


def _samples() -> list[str]:
    """Pages the links alone may not reach: one object in each state, searches with results."""
    urls = []
    for name, model, field in STATEFUL:
        first_of_each = model.objects.order_by(field, "pk").distinct(field).values_list("pk")
        urls += [reverse(name, args=[pk]) for (pk,) in first_of_each]
    # A session held (attendance, walk-ins) and one to come (registrations).
    today = datetime.date.today()
    held = Seance.objects.filter(date__lte=today, cancelled_at=None).order_by("-date").first()
    coming = Seance.objects.filter(date__gt=today, cancelled_at=None).order_by("date").first()
    urls += [reverse("ateliers:seance_detail", args=[s.pk]) for s in (held, coming)]
    search = reverse("permanences:usager_search")
    return urls + [
        f"{search}?q=alert",
        f"{search}?field=participants&participants_q=alert",
        reverse("ateliers:seance_register", args=[coming.pk]) + "?q=alert",
    ]


def test_no_page_runs_markup_stored_in_the_data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    api_key = _records_the_demo_does_not_make()
    _store_payload()
    assert Quartier.objects.filter(nom=PAYLOAD).exists()

    walk = _Walk()
    samples = _samples()
    for role in Role.values:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.filter(role=role, email__endswith="@demo.example").first())
        seeds = _no_arg_urls(lambda a, role=role: a == "public" or (a != "api" and role in a))
        _walk(client, seeds + samples, walk, role)
    anonymous = _no_arg_urls(lambda a: a == "public") + _public_link_urls()
    _walk(Client(raise_request_exception=False), anonymous, walk, "anonyme")
    api = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {api_key}"})
    _walk(
        api, [reverse("reporting_api:statistics"), reverse("reporting_api:activites")], walk, "API"
    )

    assert walk.problems == []
    assert walk.pages_showing_payload > 300  # the data did reach the pages, escaped

    # Every named URL was opened, or is an action (it refuses a GET) or listed in NOT_OPENED.
    not_opened = []
    for name, pattern in ROUTES:
        if name in walk.opened or name in NOT_OPENED:
            continue
        allowed = access(pattern.callback)
        viewer = Client()
        if allowed not in ("public", "api"):
            viewer.force_login(User.objects.filter(role=sorted(allowed)[0]).first())
        if viewer.get(reverse(name, kwargs=sample_kwargs(pattern))).status_code != 405:
            not_opened.append(name)
    assert not_opened == []


def test_the_scan_sees_markup_that_was_not_escaped():
    page = (
        f'<p title="{PAYLOAD}">{PAYLOAD}</p><a href="JavaScript:alert(1)">x</a>'
        '<script type="application/json">{"nom": "</b>"}</script>'
        '<button onclick="window.print()">Imprimer</button>'
    )
    scan = _PageScan()
    scan.feed(page)
    from_the_payload = ["<img onerror='alert(1)'>", "<img src=x>", "<script> runs data: 'alert(2)'"]
    assert scan.problems == [
        *from_the_payload,  # out of the attribute
        *from_the_payload,  # in the text
        "<a href='JavaScript:alert(1)'>",
        "<script type=application/json> holds a raw '<'",
        "<button onclick='window.print()'>",
    ]


# The pages where each of the project's scripts runs on data, and what to do there so that the
# script shows that data (a map's tooltips and popups open on hover and click).
SCRIPT_PAGES = {
    "js/map.js": ["reseau:couverture", "reseau:carte"],
    "js/print.js": ["reporting:dashboard"],  # base.html loads it on every page
    "js/drafts.js": ["permanences:log"],
    "js/log-form.js": ["permanences:log"],
    "js/ateliers-presence.js": ["ateliers:seance_detail"],
}
STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"


INJECTED = 'img[src="x"], i[onclick]'


def _open_everything(page) -> int:
    """Open what shows data on demand; return how many elements came from the data."""
    injected = 0
    for element in page.locator(".leaflet-interactive, .leaflet-marker-icon").all():
        element.dispatch_event("mouseover")  # Leaflet fills a tooltip when it opens
        injected += page.locator(INJECTED).count()
        element.dispatch_event("click")
        injected += page.locator(INJECTED).count()
    if page.locator("#id_usager_q").count():  # the log form: a person found, then chosen
        page.get_by_text("Déjà accompagné", exact=True).click()
        page.locator("#id_usager_q").fill("alert")
        page.locator("#usager-results .usager-option").first.click()
        page.wait_for_selector("#usager-chosen .usager-option")
    return injected + page.locator(INJECTED).count()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_script_turns_stored_markup_into_html(browser, live_server, settings, tmp_path):
    assert {p.name for p in STATIC_JS.glob("*.js")} == {k[3:] for k in SCRIPT_PAGES}
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--quiet-accounts", stdout=io.StringIO())
    _store_payload()
    today = datetime.date.today()
    held = Seance.objects.filter(date__lte=today, cancelled_at=None).order_by("-date").first()
    args = {"ateliers:seance_detail": [held.pk]}

    context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    page = context.new_page()
    own = re.escape(live_server.url)
    page.route(re.compile(rf"^(?!{own}).*"), lambda route: route.abort())  # no map tiles
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login_in_browser(
        page, live_server, User.objects.get(email="coordination@demo.example"), DEMO_PASSWORD
    )
    found = {}
    for name in sorted({name for names in SCRIPT_PAGES.values() for name in names}):
        page.goto(live_server.url + reverse(name, args=args.get(name)))
        page.wait_for_load_state()
        injected = _open_everything(page)
        if injected or dialogs:
            found[name] = (injected, list(dialogs))
        if name == "reseau:couverture":  # the quartier's name is still there, as text
            page.locator("path.leaflet-interactive").first.dispatch_event("mouseover")
            page.wait_for_selector(".leaflet-tooltip")
            tooltips = page.locator(".leaflet-tooltip").all_text_contents()
            assert any(PAYLOAD in tooltip for tooltip in tooltips), tooltips
        dialogs.clear()
    context.close()
    assert found == {}
