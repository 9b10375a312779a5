"""The platform's notion of now: stored in UTC, shown and dated in Asia/Shanghai."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from rating.models.base import utcnow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def local_now() -> datetime:
    return utcnow().astimezone(LOCAL_TZ)
