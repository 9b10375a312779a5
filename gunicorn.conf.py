"""gunicorn settings of the web service, read by ``gunicorn 'rating:create_app()'`` from the working directory and
by the benchmarks in bench/ (docs/operations.md says why these defaults).

WEB_WORKERS       worker processes (default 2: one per core of a 2-core host)
WEB_WORKER_CLASS  gthread (default) or sync
WEB_THREADS       threads per gthread worker (default 4 on PostgreSQL; 1 on SQLite, whose single writer makes the
                  threads of a worker queue on its write lock, and its waits sleep)
"""

import os


def _default_threads() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "4" if url.startswith(("postgres://", "postgresql")) else "1"


workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS") or _default_threads())
#: Keep-alive connections of a gthread worker stay open this long between requests (a citizen's next click).
keepalive = 5
