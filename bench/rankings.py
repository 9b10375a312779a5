"""The department and station rankings beside one plain GROUP BY over the same rows (called by bench/compute.py).

A fresh database holds ``units`` units, half of them grassroots stations with their rating desks and half spread
over the four other kinds, a unit-score row for every unit (stations' conduct left empty, so it is derived from
their satisfaction), an open cycle and ``ratings`` ratings of the stations, generated inside the database like the
verdict's (bench.compute._rows_sql). Timed, best of --repeat after a warm-up, each run rolled back:
- the plain query ``SELECT post_id, count(*), sum(level) FROM ratings GROUP BY post_id``;
- ``rankings.lifecycle.compute_stations`` (gather, rank, write the draft);
- ``rankings.lifecycle.compute_departments`` (unit scores, the verdict's composites, station tallies, write).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import insert, text

KINDS = ("municipal", "provincial", "window", "county")


@dataclass(frozen=True)
class RankingScenario:
    engine: str
    ratings: int
    units: int

    @property
    def label(self) -> str:
        return f"{self.engine} rankings: {self.ratings:,} station ratings / {self.units:,} units"


def load(scenario: RankingScenario) -> None:
    from bench.compute import _rows_sql
    from rating.clock import local_today
    from rating.extensions import db
    from rating.models.posts import Post
    from rating.models.rankings import UnitScore
    from rating.models.units import Unit
    from rating.services import audit
    from rating.services.cycles import create_cycle

    n, stations = scenario.units, scenario.units // 2
    year = local_today().year
    kinds = ["station" if u < stations else KINDS[u % 4] for u in range(n)]
    db.session.execute(
        insert(Unit), [{"code": f"U{u:05d}", "name": f"单位 {u:05d}", "kind": kinds[u], "head": ""} for u in range(n)]
    )
    unit_ids = list(db.session.scalars(sa.select(Unit.id).order_by(Unit.id)))
    db.session.execute(
        insert(Post),
        [
            {"code": f"U{u:05d}", "unit_id": unit_ids[u], "title": f"单位 {u:05d}", "active": True, "rates_unit": True}
            for u in range(stations)
        ],
    )
    desk_ids = list(db.session.scalars(sa.select(Post.id).order_by(Post.id)))
    assert desk_ids == list(range(desk_ids[0], desk_ids[0] + stations))
    cycle = create_cycle(audit.Actor("bench"), year)
    db.session.execute(
        insert(UnitScore),
        [
            {
                "cycle_id": cycle.id,
                "unit_id": unit_id,
                "targets": 55 + (u * 7) % 45,
                "responsibility": 60 + (u * 11) % 40,
                "conduct": None if kinds[u] == "station" else 70 + (u * 13) % 30,
                "entered_by": "bench",
            }
            for u, unit_id in enumerate(unit_ids)
        ],
    )
    db.session.commit()
    engine = db.engine.dialect.name
    for b in range(10):
        size = scenario.ratings // 10 + (1 if b < scenario.ratings % 10 else 0)
        sql = _rows_sql(engine, size, stations, desk_ids[0], None, cycle.id, year)
        sql = sql.replace("'B' || g", f"'S{b}-' || g")  # receipts are unique across batches
        db.session.execute(text(sql))
        db.session.commit()
    if engine == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def measure(scenario: RankingScenario, url: str, repeat: int) -> dict:
    import time

    from flask_migrate import upgrade

    from bench.compute import PLAIN_QUERY, timed
    from rating import create_app
    from rating.clock import local_today
    from rating.extensions import db
    from rating.models.cycles import Cycle
    from rating.services import audit
    from rating.services.rankings import lifecycle

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SCHEDULER_IN_PROCESS": False})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        load(scenario)
        loaded = time.perf_counter() - start
        year = local_today().year

        def cycle() -> Cycle:
            return db.session.scalar(sa.select(Cycle).where(Cycle.year == year))

        def plain():
            return db.session.execute(text(PLAIN_QUERY)).all()

        def stations():
            return lifecycle.compute_stations(audit.Actor("bench"), cycle())

        def departments():
            return lifecycle.compute_departments(audit.Actor("bench"), cycle())

        assert len(plain()) == scenario.units // 2
        assert len(stations().rows) == scenario.units // 2
        db.session.rollback()
        figures = {
            "load": loaded,
            "plain": timed(plain, repeat),
            "stations": timed(stations, repeat),
            "departments": timed(departments, repeat),
        }
        db.session.remove()
        db.engine.dispose()
    return figures


def report(scenario: RankingScenario, figures: dict, goal: float) -> None:
    plain = figures["plain"]
    print(f"\n{scenario.label}  (generated and analysed in {figures['load']:.1f} s)")
    print(f"  {'plain GROUP BY':<30} best {plain[0]:8.3f} s   median {plain[1]:8.3f} s")
    for name in ("stations", "departments"):
        best, median = figures[name]
        ratio = best / plain[0]
        verdict = "meets" if ratio <= goal else "misses"
        print(
            f"  {'compute_' + name:<30} best {best:8.3f} s   median {median:8.3f} s   "
            f"/ plain {ratio:.2f} ({verdict} the goal of at most {goal:g})"
        )
