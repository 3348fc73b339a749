#!/bin/sh
# Entry point of the production image (Dockerfile, docker-compose.yml).
#
#   web            apply migrations, then run gunicorn on :8000
#   worker         run the Celery worker
#   beat           run Celery beat (the static schedule in config/settings.py)
#   health ROLE    exit 0 if that role is healthy here (used by the compose health checks)
#   anything else  run as given, e.g. `docker compose run --rm web python manage.py createsuperuser`
set -eu

cd /app

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec gunicorn config.wsgi \
      --bind 0.0.0.0:8000 \
      --workers "${WEB_CONCURRENCY:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --worker-tmp-dir /dev/shm \
      --forwarded-allow-ips '*' \
      --access-logfile -
    ;;
  worker)
    exec celery -A config worker \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}"
    ;;
  health)
    case "${2:-}" in
      web)
        # /healthz runs a query, so this checks gunicorn, Django and the database. It is exempt
        # from the HTTPS redirect; the Host header must be one of ALLOWED_HOSTS.
        exec python - <<'PY'
import os, sys, urllib.request
host = (os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost")
host = "localhost" if host == "*" else host
request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
with urllib.request.urlopen(request, timeout=5) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
        ;;
      worker)
        # The worker answers a ping over the broker.
        exec celery -A config inspect ping --timeout 10 \
          --destination "celery@$(python -c 'import socket; print(socket.gethostname())')"
        ;;
      beat)
        # Beat writes its schedule file at start and at least every 3 minutes while it ticks.
        exec python - <<'PY'
import glob, os, sys, time
files = glob.glob(os.path.join(os.environ.get("VAR_DIR", "/app/var"), "celerybeat-schedule*"))
newest = max((os.path.getmtime(f) for f in files), default=0)
sys.exit(0 if time.time() - newest < 600 else 1)
PY
        ;;
      *)
        echo "usage: $0 health web|worker|beat" >&2
        exit 2
        ;;
    esac
    ;;
  *)
    exec "$@"
    ;;
esac
