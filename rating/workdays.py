"""Deadlines in Chinese working days (工作日): weekends and public holidays skipped, make-up working weekends
(调休上班) counted, from the maintained ``holidays`` calendar. Plain Python; used by follow-ups and complaints."""

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=8)
def _calendar(first_year: int, last_year: int):
    return holidays.country_holidays("CN", years=range(first_year, last_year + 1))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = _calendar(start.year, start.year + 1 + days // 200)
    return calendar.get_nth_working_day(start, days) if days else start


def is_working_day(day: date) -> bool:
    return _calendar(day.year, day.year).is_working_day(day)
