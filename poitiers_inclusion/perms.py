"""Access rules for views: every view declares who may open it; the rest is denied.

`role_required` marks a view with the roles allowed (others get a French 403 page); `public`
marks a page open without login; `token_api` marks an API view that authenticates by token.
The role x URL permission test walks the URLconf and fails on any view that declares nothing.

The role groups several apps share are declared here; each app declares its own in its
`perms.py`, from these. The menu reads the roles a view declares (`nav.py`), so a role sees an
entry exactly when it may open the page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied

from .enums import Role

ALL_ROLES = tuple(Role.values)
# The coordination: coordinator and admin run the programme and see the whole city's data,
# identified usagers included.
STAFF = (Role.COORDINATEUR, Role.ADMIN)
# Who works with the people helped: the conseillers (their own people and sessions) and the
# coordination.
TEAM = (Role.CONSEILLER, *STAFF)


def conseillers_own_or_citywide(queryset, user, conseillers_field: str):
    """The rows whose figures `user` reads: a conseiller's own (through `conseillers_field`), the
    whole city's for the coordination and for a view without a viewer (`user` None: shared
    views, the API); nothing for other roles."""
    if user is None:
        return queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_whole_city:
        return queryset
    if user.role == Role.CONSEILLER:
        return queryset.filter(**{conseillers_field: user})
    return queryset.none()


def role_required(*roles):
    allowed = frozenset(roles)
    unknown = allowed - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"Rôles inconnus : {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not user.has_role(*allowed):
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator


def any_role(view):
    """Any logged-in account, whatever its role."""
    return role_required(*ALL_ROLES)(view)


def public(view):
    view = login_not_required(view)
    view.access = "public"
    return view


def token_api(view):
    """API view: no session login; the view authenticates the bearer token itself (401/403)."""
    view = login_not_required(view)
    view.access = "api"
    return view
