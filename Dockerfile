# Production image: gunicorn serves the site (static files through whitenoise); the same image runs
# the Celery worker and beat. See docker-compose.yml and deploy/entrypoint.sh.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRODUCTION=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/data/files

# WeasyPrint (decision letters as PDF) needs Pango and HarfBuzz; fonts for the letters;
# gettext's msgfmt for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation gettext \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (pyproject.toml only), so a change in the code does not reinstall them.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY --chown=app:app . .

# Translations and static files are built into the image (VAR_DIR/static, served by whitenoise).
# A throwaway key: these commands load the settings (which refuse PRODUCTION=1 without a key)
# but use no secret.
RUN export SECRET_KEY=build-time-only-not-a-secret \
 && python manage.py compilemessages --ignore=.venv -v 0 \
 && python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var /data/files \
 && chown -R app:app /app/var /data \
 && chmod +x deploy/entrypoint.sh

USER app
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
