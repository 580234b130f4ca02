"""Test-only URLconf: the project's URLs plus a public page with a secret in its path that fails
with a person's address in its error, served through the project's middleware."""

from django.db import connection
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from poitiers_inclusion.perms import public
from poitiers_inclusion.urls import urlpatterns as project_patterns

PERSON = "jeanne.dupont@example.fr"


@csrf_exempt
@public
def fails(request, token):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise ValueError(f"Impossible d'écrire à {PERSON} ({request.POST.get('nom')})")


urlpatterns = [path("essai-erreur/<str:token>/", fails, name="fails"), *project_patterns]
handler500 = "poitiers_inclusion.availability.server_error"
