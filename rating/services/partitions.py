"""The ratings' partitions (评议数据分区): on PostgreSQL each cycle's ratings live in their own table, so that the
verdict and the public pages, which read one cycle, read only that cycle's rows and indexes (migration 0023,
docs/scaling.md). SQLite keeps one plain table and nothing here does anything.

Called by rating.services.cycles.create_cycle, in the transaction that creates the cycle; every path that makes a
cycle (the back office, ``flask`` commands, the demo, the benchmarks, the tests' factories) goes through it.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from rating.extensions import db
from rating.services.errors import Conflict

#: Ratings of a cycle without its own partition land here: correct, only not pruned.
DEFAULT_PARTITION = "ratings_default"
#: How long making a partition waits for the ratings' tables (PostgreSQL's lock_timeout) before the cycle is refused
#: with "try again": a long read of the ratings (an export, the verdict, a backup) must not make citizens' ratings
#: queue behind a waiting ATTACH.
ATTACH_WAIT = "3s"
#: PostgreSQL's SQLSTATE for a lock not obtained within lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"
#: The partitions' names: the models know only the partitioned table.
PARTITION = re.compile(r"ratings_(c\d+|default)")


def partition_name(cycle_id: int) -> str:
    return f"ratings_c{int(cycle_id)}"


def compared(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` (autogenerate, and the test that models and migrations agree): the partitions,
    their indexes, and the foreign keys PostgreSQL adds to each of them on its own, are the partitioned table's
    storage, not something the models declare."""
    table = object_.referred_table if type_ == "foreign_key_constraint" else getattr(object_, "table", object_)
    return not PARTITION.fullmatch(table.name)


def add_cycle_partition(cycle_id: int) -> bool:
    """Give the cycle its partition of ``ratings`` (PostgreSQL), with the line statistics the verdict's tally is
    planned by. Returns whether one was made: not on SQLite, not when it exists, and not when the default partition
    already holds ratings of the cycle (a cycle made without this function): they stay there, where they are counted
    all the same, rather than be moved under the follow-ups that refer to them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    name = partition_name(cycle_id)
    if db.session.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is not None:
        return False
    stray = text(f"SELECT EXISTS (SELECT FROM {DEFAULT_PARTITION} WHERE cycle_id = :cycle)")  # noqa: S608
    if db.session.scalar(stray, {"cycle": cycle_id}):
        return False
    # Made apart and then attached, rather than CREATE TABLE … PARTITION OF: attaching locks ratings only against
    # other schema changes (SHARE UPDATE EXCLUSIVE), so ratings of other cycles are written and read on; it does lock
    # the default partition (ACCESS EXCLUSIVE) until the cycle's transaction commits, and a statement that cannot
    # prune at plan time (the rating path's, which names the cycle through a join; a receipt's lookup) waits on it
    # meanwhile — milliseconds, unless the attach itself waits behind a long read: hence ATTACH_WAIT, after which the
    # cycle is refused and nothing of it kept. Attaching makes the partition's indexes, keys and foreign keys from
    # the parent's. Identifiers cannot be bound parameters: the name is made of an int.
    try:
        with db.session.begin_nested():
            before = db.session.scalar(text("SELECT current_setting('lock_timeout')"))
            db.session.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": ATTACH_WAIT})
            db.session.execute(text(f"CREATE TABLE {name} (LIKE ratings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
            db.session.execute(text(f"ALTER TABLE ratings ATTACH PARTITION {name} FOR VALUES IN ({int(cycle_id)})"))
            db.session.execute(
                text(f"CREATE STATISTICS st_{name}_line (ndistinct) ON post_id, holder_id, verified, level FROM {name}")
            )
            db.session.execute(text("SELECT set_config('lock_timeout', :before, true)"), {"before": before})
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise Conflict(
            _("评议数据正被长时间读取(导出、计算或备份),暂时无法为新周期建立数据分区,请稍后重试。")
        ) from None
    return True
