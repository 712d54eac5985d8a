"""gunicorn settings: `gunicorn -c gunicorn.conf.py decisionguide.wsgi` (bin/start runs it).

Every value can be overridden with an environment variable so the same file
serves a laptop, a single small server and a fleet behind a load balancer.
docs/operations.md lists them all.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# WEB_CONCURRENCY is the common convention for "how many workers": processes, for the CPUs.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads, for slow clients: a connection that trickles its request in holds one
# thread, not a whole worker, so /healthz and pages keep answering beside dozens of
# them (bench/slowclients.py measures it). More than that needs a buffering proxy
# (docs/operations.md). Per-worker state is thread-safe: the page memos, document
# memo and analytics buffer take a lock; database connections are per thread.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# A worker takes no more connections than it has threads: one whose threads are all
# held by slow clients stops accepting, and the others (or the backlog) take new ones
# instead of queueing them behind the slow ones.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# 0: every response closes its connection (as the sync workers did), so an idle
# browser holds no slot; keep-alive needs GUNICORN_WORKER_CONNECTIONS above the threads.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Recycle workers now and then so a slow leak can never take the site down; not
# too often, as a new worker starts with empty page memos (decisionguide.content.pagecache).
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

# Forwarded scheme headers, trusted exactly as Django trusts them: only behind a
# TLS-terminating proxy (DJANGO_SECURE_PROXY_SSL_HEADER), only X-Forwarded-Proto,
# and only from the proxy's addresses. Otherwise from no one: gunicorn's default
# would let anything on 127.0.0.1 pass a plain request off as HTTPS with
# X-Forwarded-Ssl or X-Forwarded-Protocol.
_proxy_ssl = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip().lower()
_behind_tls_proxy = _proxy_ssl in {"1", "true", "yes", "on"}  # as settings.env_bool reads it
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"} if _behind_tls_proxy else {}
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if _behind_tls_proxy else ""
)

# gunicorn 25+ opens a control socket in $HOME by default; the app needs none,
# and in a container HOME may not be writable.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") != "1"

# gunicorn has no setting for its `Server:` header, which names it; replace the
# module-level value every response reads, so the header gives nothing away.
gunicorn.http.wsgi.SERVER = os.environ.get("GUNICORN_SERVER_HEADER", "decisionguide")
