"""Looking many records up by key: the keys go to the database in chunks.

An import of 100,000 rows must not put 100,000 parameters in one ``IN (…)``: PostgreSQL's protocol allows 65,535
per statement. Imports and their services read through ``chunks`` instead.
"""

from collections.abc import Iterable, Iterator

#: Keys per ``IN (…)``: well under PostgreSQL's 65,535 parameters and SQLite's 32,766 (before 3.32).
CHUNK = 5000


def chunks(keys: Iterable) -> Iterator[list]:
    """The distinct keys, in first-seen order, a chunk at a time."""
    distinct = list(dict.fromkeys(keys))
    for start in range(0, len(distinct), CHUNK):
        yield distinct[start : start + CHUNK]
