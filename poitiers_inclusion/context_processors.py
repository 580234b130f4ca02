"""Values every template needs: the city's name and the navigation of the current role."""

from django.conf import settings

from . import nav


def site(request):
    return {
        "CITY_NAME": settings.CITY_NAME,
        "nav_items": nav.items_for(request.user, request.path) if hasattr(request, "user") else [],
    }
