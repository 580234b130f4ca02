"""URLs of the permanences app, one list per area of the app."""

from .calls_urls import urlpatterns as calls_urls
from .coop_urls import urlpatterns as coop_urls
from .log_urls import urlpatterns as log_urls
from .public_urls import urlpatterns as public_urls
from .schedule_urls import urlpatterns as schedule_urls
from .usager_urls import urlpatterns as usager_urls

app_name = "permanences"

urlpatterns = [*log_urls, *usager_urls, *coop_urls, *schedule_urls, *public_urls, *calls_urls]
