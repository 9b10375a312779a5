"""The flask commands (SPEC §7): ``flask --app rating COMMAND``. Each command commits once, or not at all.

One module per area, each an ``AppGroup`` of its commands: ``posts``, ``officials`` (the evidence entered into a
cycle), ``complaints``, ``verdict`` (close, compute, notice, publish, export), ``rankings`` (units, unit scores,
station ratings, the department and station rankings) and ``ops`` (seed, users, cycles, the audit check, the
scheduler). Their names are a contract with scripts and service files, so ``register`` adds every
command at the top level (``flask --app rating compute --cycle 2025``), as SPEC §7 names them; the groups are how the
code is kept, not a second spelling on the command line.
"""

from flask import Flask
from flask.cli import AppGroup

from rating.cli import complaints, officials, ops, posts, rankings, verdict

GROUPS: tuple[AppGroup, ...] = (
    ops.group,
    posts.group,
    officials.group,
    complaints.group,
    verdict.group,
    rankings.group,
)


def register(app: Flask) -> None:
    for group in GROUPS:
        for command in group.commands.values():
            app.cli.add_command(command)
