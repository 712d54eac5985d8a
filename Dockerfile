# Decision Guide: gunicorn on a slim official Python image.
# Build: docker build -t decisionguide .
# Run (one machine, SQLite in the /data volume):
#   docker run -p 8000:8000 -v dg-data:/data \
#     -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=guide.example.com decisionguide
# Several app servers: add -e DATABASE_URL=postgres://... (and REDIS_URL=redis://...).
# docs/operations.md describes every variable.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/db.sqlite3 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DECISIONGUIDE_COLLECTSTATIC=0 \
    PORT=8000

WORKDIR /app

# Dependencies first (from pyproject.toml), so code changes don't reinstall them.
COPY pyproject.toml README.md ./
COPY decisionguide/__init__.py decisionguide/__init__.py
RUN pip install ".[postgres,redis]" && pip uninstall -y decisionguide

COPY . .
# Static files are collected (hashed, gzip + brotli) into the image at build time;
# the secret and host here exist only so the settings load for this one command.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret DJANGO_ALLOWED_HOSTS=build.invalid \
       python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent app \
    && mkdir -p /data && chown app /data

USER app
VOLUME ["/data"]
EXPOSE 8000

# /healthz needs no database and is answered whatever Host header it gets.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"

# bin/start migrates (DECISIONGUIDE_MIGRATE=0 to skip), then execs gunicorn.
CMD ["bin/start"]
