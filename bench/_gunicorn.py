"""gunicorn settings of the benchmarks' servers: the project's gunicorn.conf.py as it is, plus one hook that marks each
worker ready once it has loaded the app, so ``bench._load.gunicorn`` measures nothing before every worker can answer.

(Without it the first page measured after a start shared the machine with a worker still importing the app, about
two seconds of CPU: the home page, measured first, read 0.37 of the bare endpoint and 0.55 when measured later.)
"""

import os
import runpy
from pathlib import Path

_project = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _project.items() if not name.startswith("_")})


def post_worker_init(worker) -> None:
    """Called by gunicorn in the worker just after it loaded the app."""
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
