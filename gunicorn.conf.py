"""gunicorn settings of the web service, read by ``gunicorn 'rating:create_app()'`` from the working directory and
by the benchmarks in bench/ (docs/operations.md says why these defaults).

WEB_WORKERS       worker processes (default 2: one per core of a 2-core host)
WEB_WORKER_CLASS  gthread (default) or sync
WEB_THREADS       threads per gthread worker (default 4)
"""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
#: Keep-alive connections of a gthread worker stay open this long between requests (a citizen's next click).
keepalive = 5
