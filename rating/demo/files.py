"""The demo's data files in ``seeds/`` (the Datong shape of the 2008 article), read as rows, and the office hours
the demo dates its steps in. Used by every loader in rating.demo."""

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rating.clock import LOCAL_TZ
from rating.imports.reader import Table
from rating.models.base import utcnow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of ``seeds/<name>`` as dictionaries keyed by the header."""
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def official_table(columns: list[str], raw: list[dict[str, str]], known) -> Table:
    """Seed rows as the importers' Table (line numbers as in the file); rows naming a post or unit not ``known``
    (a demo post deactivated since) are left out rather than failing the whole seed."""
    return Table(
        columns,
        [
            (line, {column: row[column].strip() for column in columns})
            for line, row in enumerate(raw, start=2)
            if row[columns[0]].strip().upper() in known
        ],
    )


def office_time(day: date, minutes: int) -> datetime:
    """A time on ``day`` in office hours (9:00 plus ``minutes`` within seven hours, Asia/Shanghai), as UTC; never in
    the future."""
    return min(utcnow(), datetime.combine(day, time(9), LOCAL_TZ).astimezone(UTC) + timedelta(minutes=minutes % 420))


def local_span(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """From the first to the last moment of these local days, as UTC, ending now at the latest."""
    start = datetime.combine(starts_on, time.min, LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(ends_on, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)
    return start, min(end, utcnow())
