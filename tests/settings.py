"""Test settings: the production settings module with test-only environment.

Only environment variables are set here, so the tests exercise the same
settings code that production runs.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-the-test-suite-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "1")
os.environ.setdefault("DJANGO_MANIFEST_STATIC", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# whitenoise serves from the finders in tests; an empty static root keeps it quiet.
os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="dg-test-static-"))
# Production mode names its database; pytest-django makes its test database from it
# (bin/with-postgres sets a PostgreSQL one).
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/dg-test.sqlite3")
# The test process is no gunicorn worker: a live server's request threads and a test's own
# threads each hold a PostgreSQL connection at once, beside the test's.
os.environ.setdefault("DECISIONGUIDE_DB_POOL_SIZE", "8")
# The pseudo-locale's URLs exist (tests/test_i18n.py renders pages in it).
os.environ.setdefault("DECISIONGUIDE_PSEUDO_LOCALE", "1")

from decisionguide.settings import *  # noqa: F403

# Hashing strength is not under test; a fast hasher keeps logins in tests quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Analytics: no background writer. The suite's database lives in this process's test
# transaction, which another thread's connection can't share; tests that read counters
# write the buffer themselves (analytics.buffer.flush()), as the writer thread would.
DECISIONGUIDE_ANALYTICS_BACKGROUND = False
