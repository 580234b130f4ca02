"""The public page's list of lieux, written in one pass.

The list is complete (the map's popups link to its cards), so at national scale it holds
thousands of cards: through the template language, about 30 nodes each, rendering took a
second. This writes the markup the card template wrote, every value escaped."""

from html import escape  # Django's escape is this one, behind a lazy-text wrapper

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from poitiers_inclusion.templatetags.kernel_tags import phone_link

from . import hours

# What a card shows (with the quartier's name): nothing else of the wide lieu row is read.
CARD_FIELDS = (
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "telephone",
    "horaires",
    "services",
    "publics_specifiquement_adresses",
    "connexion_solidaire",
    "frais_a_charge",
    "accessibilite",
    "latitude",
    "longitude",
    "quartier__nom",
)


def _hours(described: list[tuple[str, str]]) -> str:
    """As reseau/includes/horaires.html writes them."""
    if not described:
        return '<span class="text-muted">Horaires non renseignés</span>'
    items = "".join(
        "<li>"
        + (f'<span class="text-capitalize">{escape(day)}</span> : ' if day else "")
        + f"{escape(ranges)}</li>"
        for day, ranges in described
    )
    return f'<ul class="list-unstyled mb-0 small">{items}</ul>'


def _joined(values, sep: str) -> str:
    return escape(sep).join(map(escape, values or ()))


def _card(lieu, hours_html: str) -> str:
    address = escape(lieu.adresse)
    if lieu.complement_adresse:
        address += f", {escape(lieu.complement_adresse)}"
    address += f", {escape(lieu.code_postal)} {escape(lieu.commune)}"
    if lieu.quartier_id:
        address += f" — quartier {escape(lieu.quartier.nom)}"
    parts = [
        f'<li class="card mb-2" id="lieu-{lieu.pk}"><div class="card-body">',
        f'<h3 class="h5">{escape(lieu.nom)}</h3>',
        f'<p class="mb-1">{address}</p>',
    ]
    if lieu.telephone:
        parts.append(
            f'<p class="mb-1">Téléphone : {conditional_escape(phone_link(lieu.telephone))}</p>'
        )
    parts.append(f'<div class="mb-1"><strong>Horaires :</strong> {hours_html}</div>')
    if lieu.services:
        parts.append(
            f'<p class="mb-1"><strong>Services :</strong> {_joined(lieu.services, " ; ")}</p>'
        )
    if lieu.publics_specifiquement_adresses:
        publics = _joined(lieu.publics_specifiquement_adresses, ", ")
        parts.append(f'<p class="mb-1"><strong>Publics :</strong> {publics}</p>')
    extra = "Wi-Fi gratuit · " if lieu.connexion_solidaire else ""
    extra += _joined(lieu.frais_a_charge, ", ")
    if lieu.accessibilite:
        extra += f" · {escape(lieu.accessibilite)}"
    parts.append(f'<p class="mb-0 small">{extra}</p></div></li>')
    return "".join(parts)


def lieu_cards(lieux) -> SafeString:
    """The cards of `lieux` (fetched with CARD_FIELDS), one <li> each."""
    described: dict[str, str] = {}  # many lieux share their opening hours
    cards = []
    for lieu in lieux:
        if lieu.horaires not in described:
            described[lieu.horaires] = _hours(hours.describe(lieu.horaires))
        cards.append(_card(lieu, described[lieu.horaires]))
    return mark_safe("".join(cards))  # noqa: S308 - every value is escaped in _card
