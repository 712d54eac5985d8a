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
# The worker: sync, one request at a time per process, with no threads to hand
# requests between. Measured side by side (docs/operations.md, "Slow clients"), it
# serves every page faster than 32 threads a worker; slow clients are the buffering
# proxy's job (nginx in the reference deployment), as a sync worker waits for a
# request's bytes as long as they come. GUNICORN_WORKER_CLASS=gthread with
# GUNICORN_THREADS=N puts threads back for a server with no such proxy.
_worker = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
if _worker == "sync" and threads > 1:
    _worker = "gthread"  # as gunicorn itself does: threads need the threaded worker
# gunicorn's two, subclassed (decisionguide/serving.py): the requests gunicorn refuses
# itself get the site's security headers and are logged without their request line.
worker_class = {
    "sync": "decisionguide.serving.SyncProcessWorker",
    "gthread": "decisionguide.serving.ThreadWorker",
}.get(_worker, _worker)
# gthread only: a worker takes no more connections than it has threads, so one whose
# threads are all busy stops accepting and the others (or the backlog) take new ones.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# gthread only (sync closes every connection): 0 closes it after each response, so an
# idle browser holds no thread; keep-alive needs GUNICORN_WORKER_CONNECTIONS above threads.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Recycle workers now and then so a slow leak can never take the site down; not
# too often, as a new worker starts with empty page memos (decisionguide.pagecache).
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
# The proxies are the ones Django trusts for X-Forwarded-For (DECISIONGUIDE_TRUSTED_PROXIES,
# addresses or CIDR ranges), unless FORWARDED_ALLOW_IPS names others: one list for both.
forwarded_allow_ips = (
    (
        os.environ.get("FORWARDED_ALLOW_IPS")
        or os.environ.get("DECISIONGUIDE_TRUSTED_PROXIES")
        or "127.0.0.1,::1"
    )
    if _behind_tls_proxy
    else ""
)

# gunicorn 25+ opens a control socket in $HOME by default; the app needs none,
# and in a container HOME may not be writable.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "0") != "1"

# gunicorn has no setting for its `Server:` header, which names it; replace the
# module-level value every response reads, so the header gives nothing away.
gunicorn.http.wsgi.SERVER = os.environ.get("GUNICORN_SERVER_HEADER", "decisionguide")

# Server hooks (post_fork, worker_exit, when_ready, ...) go below. bench/run also serves
# its minimal app (bench/minimal_app.py) with this file: a hook that uses the site's
# code does nothing unless _serves_site.
_serves_site = (
    os.environ.get("DJANGO_SETTINGS_MODULE", "decisionguide.settings") == "decisionguide.settings"
)

if _serves_site:

    def post_fork(server, worker):
        # A worker never uses the database connections or pool its master opened.
        from decisionguide import database

        database.after_fork()

    def when_ready(server):
        # Says so at start when every server's workers could ask PostgreSQL for more
        # connections than it allows (DECISIONGUIDE_APP_SERVERS, DECISIONGUIDE_DB_POOL_SIZE).
        from decisionguide import database

        database.check_connection_budget(server.cfg.workers)

    def worker_exit(server, worker):
        # A graceful stop or restart: the buffered analytics first, then the pool, so the
        # worker's sessions end cleanly instead of being dropped.
        from decisionguide import database
        from decisionguide.analytics import counting

        counting.flush_on_exit()
        database.close_pools()
