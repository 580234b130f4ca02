"""A form sent twice (a double tap, the back button then "send" again, a retry after a timeout)
creates one record: every page of the URLconf is opened, each form that posts to its own page is
filled and sent as a browser would, and a form whose sending created rows is sent again with the
same content; the second sending must create nothing and lead where the first one led.

Forms are found by walking the URLconf (tests/routes.py), not listed by hand: a new create view
is checked as soon as its page exists. A page the walk cannot open is listed in NOT_WALKED with
the reason; a form that creates nothing with the walk's made-up answers is listed in FILLED_BY_HAND
with answers that work, or in NOT_CREATING with the reason."""

import datetime
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion import submissions
from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import (
    AuditEvent,
    LoginFailure,
    OutgoingEmail,
    RateLimitHit,
    SubmissionToken,
)
from tests.ateliers.factories import SeanceFactory
from tests.factories import LieuFactory
from tests.kernel.test_permission_matrix import NOT_OBJECTS, OBJECT_CASES
from tests.objects import World
from tests.permanences.factories_schedule import BookablePermanenceFactory, next_weekday
from tests.routes import ROUTES, access

# Routes whose arguments are a secret sent to one person (links in an e-mail): what they post
# changes that person's own record (an answer, a cancellation), it creates nothing.
NOT_WALKED = {
    "ateliers:cancel_public": "annule l'inscription du lien, ne crée rien",
    "ateliers:registered": "page de confirmation, sans formulaire",
    "ordinateurs:don_confirm": "confirme le don du lien, ne crée rien",
    "ordinateurs:invitation_ceremonie": "réponse du donateur à l'invitation du lien, ne crée rien",
    "permanences:booking_cancel": "annule le rendez-vous du lien, ne crée rien",
    "permanences:booking_done": "page de confirmation, sans formulaire",
    "reporting:share_public": "vue partagée en lecture seule",
    "reseau:orientation_reponse": "réponse à l'orientation du lien, ne crée rien",
    "reseau:rsvp": "réponse à l'invitation du lien, ne crée rien",
    "reseau:verification": "mise à jour de la fiche du lien, ne crée rien",
    "password_reset_confirm": "change le mot de passe du lien, ne crée rien",
    "invitation": "le mot de passe choisi depuis le lien d'invitation, ne crée rien",
}

# Forms posting to their own page that create nothing, and why.
NOT_CREATING = {
    "login": "ouvre une session",
    "password_change": "change le mot de passe (l'ancien n'est pas connu de la visite)",
    "ordinateurs:attribution_withdraw": "reprend un appareil (refusé sans effacement réussi)",
    "permanences:closure_edit": "modifie une fermeture (la fabrique en fait une invalide)",
    "permanences:coop_import": (
        "dépose un fichier pour l'aperçu ; l'import confirmé a son propre jeton à usage unique "
        "(le fichier en attente, supprimé après l'import)"
    ),
    "reporting:indicator_import": "import d'un fichier : jeton d'envoi présent, vérifié à part",
    "ateliers:seance_register": "le formulaire de recherche d'une personne ; l'inscription crée",
    "ateliers:seance_walk_in": "le formulaire de recherche d'une personne ; l'inscription crée",
}


def _seance_today():
    return {"pk": SeanceFactory(capacite=10).pk}


def _booking_slot():
    permanence = BookablePermanenceFactory()
    return {"pk": permanence.pk, "day": next_weekday(permanence.weekday).isoformat()}


# Public routes whose arguments name something open to the public (not a secret).
PUBLIC_KWARGS = {
    "ateliers:register_public": _seance_today,
    "permanences:booking_new": _booking_slot,
    "front:lieu_calendar": lambda: {"pk": LieuFactory().pk},
}


# What accompanies an action without being what it creates: the journal of who did what, the
# rate of a client, the failed sign-ins, the e-mails, the tokens themselves.
def _one_device(form):
    """The reception form's rows are several devices: one is enough (the same serial number
    typed in every row is refused)."""
    data = fill(form)
    data["appareils-TOTAL_FORMS"] = ["1"]
    return data


def _a_whole_lieu(form):
    """A closure names a lieu or one of its desks, not both."""
    return fill(form) | {"permanence": [""]}


def _a_price(form):
    """A price in euros, written the French way."""
    return fill(form) | {"prix": ["15,99"]}


FILLED_BY_HAND = {
    "ordinateurs:ordinateur_receive": _one_device,
    "reseau:offre_create": _a_price,
    "permanences:closure_create": _a_whole_lieu,
}
# A second sending of the log form opens the report the first one saved.
REPLAY_TO_THE_RECORD = {"permanences:log", "permanences:mediation_duplicate"}

IGNORED_MODELS = {SubmissionToken, AuditEvent, RateLimitHit, LoginFailure, OutgoingEmail}


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model not in IGNORED_MODELS
        and not model._meta.proxy
        and model._meta.app_label not in ("sessions", "contenttypes", "auth")
    }


class _Forms(HTMLParser):
    """The POST forms of a page and the values a browser would send from them."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "fields": [], "files": []}
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind == "file":
                form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                form["fields"].append([kind, name, attrs.get("value", "on"), "checked" in attrs])
            else:
                form["fields"].append([kind, name, attrs.get("value") or "", None])
        elif tag == "select" and name:
            self._select = ["select-multiple" if "multiple" in attrs else "select", name, [], []]
            form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select[2].append(value)
            if "selected" in attrs:
                self._select[3].append(value)
        elif tag == "textarea" and name:
            self._textarea = ["textarea", name, "", None]
            form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


MADE_UP = {
    "email": "essai@exemple.test",
    "tel": "05 49 00 00 00",
    "number": "1",
    "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    "time": "10:00",
    "datetime-local": (timezone.localdate() + datetime.timedelta(days=7)).isoformat() + "T10:00",
    "url": "https://exemple.test",
    "password": "un-mot-de-passe-solide-2026",
    "text": "Essai",
    "search": "",
}


# Answers that pass the checks of the fields of these names (the last part after a formset's
# prefix), whatever the form.
BY_NAME = {
    "siret": "73282932000074",
    "pivot": "21860194000306",
    "code_postal": "86000",
    "code_insee": "86194",
    "telephone": "+33549000000",
    "courriels": "essai@exemple.test",
    "end_time": "11:00",
    "new_birth_year": "1980",
    # A hand-over is noted once done: never dated in the future.
    "remis_le": timezone.localdate().isoformat(),
}
DATETIME_TEXT = (timezone.localdate() + datetime.timedelta(days=7)).strftime("%d/%m/%Y 10:00")


def _made_up(kind, name):
    short = name.rsplit("-", 1)[-1]
    if short in BY_NAME:
        return BY_NAME[short]
    if kind == "text" and short == "date":
        return DATETIME_TEXT
    return MADE_UP.get(kind, "Essai")


def fill(form) -> dict:
    """What a person filling every field would send (the robots' trap left empty)."""
    data: dict[str, list[str]] = {}
    radios_chosen = set()
    for kind, name, value, state in form["fields"]:
        if name in ("csrfmiddlewaretoken",):
            continue
        if name == "site_web":
            data[name] = [""]
        elif kind == "radio":
            if state or name not in radios_chosen and name not in data:
                data[name] = [value]
                radios_chosen.add(name) if state else None
        elif kind == "checkbox":
            data.setdefault(name, []).append(value)
        elif kind in ("select", "select-multiple"):
            options = [v for v in value if v]
            # Another structure than the sender's (the first one): an orientation goes elsewhere.
            pick = options[-1:] if name.endswith("destination") else options[:1]
            chosen = [v for v in state if v] or pick
            data[name] = chosen
        elif kind == "hidden":
            data[name] = [value]
        elif kind == "textarea":
            data[name] = [value.strip() or "Essai"]
        else:
            data[name] = [value or _made_up(kind, name)]
    return data


def _account_for(allowed, world):
    if allowed == "public":
        return None
    for role in (
        Role.ADMIN,
        Role.COORDINATEUR,
        Role.CONSEILLER,
        Role.TECHNICIEN,
        Role.PRESCRIPTEUR,
    ):
        if role in allowed:
            side = None if role in (Role.ADMIN, Role.COORDINATEUR, Role.TECHNICIEN) else "a"
            return world.users[(role, side)]
    return None


def _kwargs(name, pattern, world):
    converters = pattern.pattern.converters
    if not converters:
        return {}
    if name in PUBLIC_KWARGS:
        return PUBLIC_KWARGS[name]()
    if name in OBJECT_CASES:
        kind, _ = OBJECT_CASES[name]
        kwargs = {"pk": world.pair(kind)["a"].pk}
        if "year" in converters:
            kwargs["year"] = timezone.localdate().year
        return kwargs
    return None


def _has_kwargs(name, pattern) -> bool:
    """Whether the walk knows what to put in the address (nothing, a token, an object)."""
    return not pattern.pattern.converters or name in PUBLIC_KWARGS or name in OBJECT_CASES


CANDIDATES = [
    (name, pattern)
    for name, pattern in ROUTES
    if name not in NOT_WALKED and access(pattern.callback) not in ("api",)
]
WALKED = [(name, pattern) for name, pattern in CANDIDATES if _has_kwargs(name, pattern)]


def test_only_addresses_without_an_object_to_open_are_left_out():
    """An address left out of the walk is one the permission matrix also declares without an
    object (NOT_OBJECTS, each with its reason): a new form cannot slip past unchecked."""
    left_out = {name for name, pattern in CANDIDATES if not _has_kwargs(name, pattern)}
    assert left_out <= set(NOT_OBJECTS), left_out - set(NOT_OBJECTS)


def _own_forms(html, url):
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["action"] in ("", url) or f["action"].startswith("#")]


@pytest.mark.parametrize("name,pattern", WALKED, ids=[name for name, _ in WALKED])
def test_a_form_sent_twice_creates_one_record(name, pattern, settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    world = World()
    for kind in ("lieu", "structure", "module", "permanence"):
        world.pair(kind)  # something to choose in the forms' lists
    kwargs = _kwargs(name, pattern, world)
    url = reverse(name, kwargs=kwargs)
    client = Client()
    account = _account_for(access(pattern.callback), world)
    if account is not None:
        client.force_login(account)
    page = client.get(url)
    if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
        return  # a download, an action without a page, a redirect: no form of its own
    for form in _own_forms(page.content.decode(), url):
        data = FILLED_BY_HAND.get(name, fill)(form)
        before = _rows()
        first = client.post(url, data)
        created = {k: v - before[k] for k, v in _rows().items() if v > before[k]}
        if not created:
            # Sent and accepted without creating anything: an edit, an action on a record.
            # Refused: the walk's made-up answers did not pass; the form must be known.
            assert first.status_code in (301, 302, 303) or name in NOT_CREATING, (
                f"{name} : le formulaire n'a rien créé avec des réponses inventées (réponse "
                f"{first.status_code}) ; inscrivez-le dans NOT_CREATING avec la raison"
            )
            continue
        after_first = _rows()
        second = client.post(url, data)
        again = {k: v - after_first[k] for k, v in _rows().items() if v > after_first[k]}
        assert again == {}, (
            f"{name} : le second envoi du même formulaire a encore créé {again} ; ajoutez "
            "{% submission_token %} au formulaire (et une redirection après l'enregistrement)"
        )
        if submissions.FIELD in data:
            # The one-time token: the second sending leads where the first one led.
            assert first.status_code in (301, 302, 303), (name, first.status_code)
            replayed = SubmissionToken.objects.get(token=data[submissions.FIELD][0]).redirect_to
            assert second.status_code == 302 and second["Location"] == replayed, name
            # Where the first sending led, or the record it created (submissions.replay_to).
            assert replayed == first["Location"] or name in REPLAY_TO_THE_RECORD, name
            followed = client.get(second["Location"], follow=True).content.decode()
            assert "Ce formulaire a déjà été envoyé" in followed, name
        # Without a token, a natural uniqueness holds (asserted above: nothing created again).
