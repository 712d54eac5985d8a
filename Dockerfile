# Decision Guide: gunicorn on a slim official Python image.
# Build: docker build -t decisionguide .
# Run:   docker run -p 8000:8000 -v dg-data:/data \
#          -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=guide.example.com decisionguide
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/db.sqlite3 \
    DECISIONGUIDE_CACHE_DIR=/data/cache \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    PORT=8000

WORKDIR /app

# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml README.md ./
COPY decisionguide/__init__.py decisionguide/__init__.py
RUN pip install ".[postgres]" && pip uninstall -y decisionguide

COPY . .
RUN pip install --no-deps . \
    && DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --home /app app \
    && mkdir -p /data && chown app /data

USER app
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)"

CMD ["bin/start"]
