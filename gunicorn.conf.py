"""gunicorn settings: `gunicorn -c gunicorn.conf.py decisionguide.wsgi` (bin/start runs it).

Every value can be overridden with an environment variable so the same file
serves a laptop, a single small server and a fleet behind a load balancer.
docs/operations.md lists them all.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# WEB_CONCURRENCY is the common convention for "how many workers". Sync workers:
# each handles one request at a time, so nothing is shared between requests.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take the site down; not
# too often, as a new worker starts with empty page memos (decisionguide.guides.pagecache).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "5000"))
# Import the app once in the master: a recycled worker is forked ready to serve in
# milliseconds instead of importing Django again. A code change needs a full restart.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# The heartbeat file on a RAM disk: on a slow or container disk it can stall workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# One line per request on stdout: method, path, status, bytes and duration in ms.
# No client address and no query string: answers (and the visitor's own typed
# text) travel in query strings, and the product logs nothing about visitors.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
# gunicorn's own messages (start, stop, worker timeouts) on stderr.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Addresses allowed to set X-Forwarded-Proto/-For for gunicorn (the proxy's).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25+ opens a control socket in $HOME by default; the app needs none,
# and in a container HOME may not be writable.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") != "1"

# gunicorn has no setting for its `Server:` header, which names it; replace the
# module-level value every response reads, so the header gives nothing away.
gunicorn.http.wsgi.SERVER = os.environ.get("GUNICORN_SERVER_HEADER", "decisionguide")
