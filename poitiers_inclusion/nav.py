"""The navigation: each app registers its entries in ready(); who sees an entry is who may open it.

An entry carries no roles of its own: they are read from the view it leads to (the roles
`perms.role_required` records on it), so the menu can never hide a page a role may open, nor show
one it may not.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, resolve, reverse

from .perms import ALL_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50


_ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def registered() -> list[NavItem]:
    return sorted(_ITEMS, key=lambda i: (i.order, i.label))


def roles_for(url_name: str) -> frozenset:
    """The roles that may open the page named `url_name`: those its view declares (every role
    for a public page, none for a view that declares nothing)."""
    view = resolve(reverse(url_name)).func
    if getattr(view, "access", None) == "public":
        return frozenset(ALL_ROLES)
    return frozenset(getattr(view, "allowed_roles", ()))


def opens_for(user, url_name: str) -> bool:
    """Whether `user`'s role may open the page (its role gate; objects are checked by the view)."""
    return user.is_authenticated and user.has_role(*roles_for(url_name))


def items_for(user, current_path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    entries = []
    for item in registered():
        try:
            if not opens_for(user, item.url_name):
                continue
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
