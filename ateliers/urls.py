"""URLs of the ateliers app: the team's pages and the public programme, in one namespace."""

from .calls_urls import urlpatterns as calls_patterns
from .public_urls import urlpatterns as public_patterns
from .staff_urls import urlpatterns as staff_patterns

app_name = "ateliers"

urlpatterns = staff_patterns + calls_patterns + public_patterns
