"""WSGI entry point for gunicorn: `gunicorn poitiers_inclusion.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poitiers_inclusion.settings")
application = get_wsgi_application()
