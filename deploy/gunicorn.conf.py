"""Gunicorn for Indberet, behind a reverse proxy (deploy/nginx.conf). See docs/deploy.md.

Every value can be overridden from the environment (/etc/indberet/indberet.env)."""

import multiprocessing
import os

wsgi_app = "backend.wsgi:application"

# Only the proxy on this machine talks to gunicorn.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# The proxy's X-Forwarded-* headers are trusted from here only (Django's own proxy settings
# are SECURE_PROXY_SSL_HEADER and accounts.audit.client_ip).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# CPUs + 1 processes of 2 threads: a request spends most of its time in Python (the GIL), so
# more processes than cores only compete for them (and with PostgreSQL on the same machine).
# Measured on 2 cores with 20 API clients saving and submitting (docs/performance.md): 3 × 2
# served ~120 requests/s with p95 ~300 ms, 5 × 2 (2 × CPUs + 1) ~110/s with p95 ~370 ms.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Exports and the PDF report stream or take a few seconds; nothing should take a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200

# Logs to stdout/stderr: journald keeps them (journalctl -u indberet-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'

proc_name = "indberet-web"
# gunicorn's control socket (gunicornc) goes in systemd's RuntimeDirectory (/run/indberet);
# without one (started by hand) it is off rather than written into $HOME.
_runtime_dir = os.environ.get("RUNTIME_DIRECTORY")
if _runtime_dir:
    control_socket = os.path.join(_runtime_dir.split(":")[0], "gunicorn.ctl")
else:
    control_socket_disable = True
# Temporary request bodies in memory-backed /dev/shm rather than on disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108
