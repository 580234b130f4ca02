"""The navigation: each app registers its entries (with the roles that use them) in ready()."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: list = field(default_factory=list)
    order: int = 50


_ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def items_for(user, current_path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    entries = []
    for item in sorted(_ITEMS, key=lambda i: (i.order, i.label)):
        if user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        matches = url == current_path if url == "/" else current_path.startswith(url)
        entries.append({"label": item.label, "url": url, "active": matches})
    # Only the closest entry is current: /reseau/lieux/ is "Lieux", not also "Réseau".
    longest = max((len(e["url"]) for e in entries if e["active"]), default=0)
    for entry in entries:
        entry["active"] = entry["active"] and len(entry["url"]) == longest
    return entries
