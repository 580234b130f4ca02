#!/bin/sh
# Starts the application in production: deployment check, migrations, static files, gunicorn.
# The one start command of `make prod`, the systemd unit (deploy/systemd/) and the container
# (deploy/Containerfile). Every setting comes from the environment (README, « Configuration »).
set -eu
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
# Production never runs in debug mode, whatever the environment says.
export DEBUG=0

# A setting that `check --deploy` flags (no ALLOWED_HOSTS, TRUSTED_PROXY_COUNT unsaid, HTTPS
# redirect or HSTS turned off…) stops the start here, with Django's explanation.
"$PYTHON" manage.py check --deploy --fail-level WARNING
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0

# A request may take longer than gunicorn's default 30 s: confirming the Coop import of a
# year's export (100,000 rows) takes about 45 s on two cores (bench/README.md).
exec "$PYTHON" -m gunicorn poitiers_inclusion.wsgi \
    --config deploy/gunicorn.conf.py \
    --bind "${HOST:-127.0.0.1}:${PORT:-8000}" \
    --workers "${WORKERS:-3}" \
    --timeout "${GUNICORN_TIMEOUT:-120}"
