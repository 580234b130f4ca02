"""URLs of Ordinateurs solidaires: the workshop (devices), donations, households, public pages."""

from .dons_urls import urlpatterns as dons_patterns
from .foyers_urls import urlpatterns as foyers_patterns
from .public_urls import urlpatterns as public_patterns
from .staff_urls import urlpatterns as staff_patterns

app_name = "ordinateurs"

urlpatterns = staff_patterns + dons_patterns + foyers_patterns + public_patterns
