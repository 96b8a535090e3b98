"""Gunicorn, the production WSGI server: `gunicorn -c gunicorn.conf.py motcua.wsgi` (`make run` starts it).

Every value comes from the environment so that one file serves a laptop and a province:
MOTCUA_BIND (host:port, default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default 2 per core + 1),
MOTCUA_WEB_THREADS (threads per worker, default 4), MOTCUA_WEB_TIMEOUT (seconds a request may take, default 60:
an approval signs a PDF), MOTCUA_WEB_MAX_REQUESTS (recycle a worker after so many requests, default 5000).
"""

import multiprocessing
import os

bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker wait on the database or a gateway while another request runs; the app is thread-safe.
worker_class = "gthread"
threads = int(os.environ.get("MOTCUA_WEB_THREADS", 4))
timeout = int(os.environ.get("MOTCUA_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("MOTCUA_WEB_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
# Logs go to stderr like the app's own JSON logs; the access log is off by default (the proxy keeps one).
accesslog = os.environ.get("MOTCUA_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("MOTCUA_LOG_LEVEL", "info").lower()
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers only from there.
forwarded_allow_ips = os.environ.get("MOTCUA_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Uploads go to memory or /tmp; /dev/shm keeps the worker heartbeat off a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
