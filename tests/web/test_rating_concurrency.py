"""Citizens rating at once: every acknowledged rating is stored exactly once and nothing refused is stored, on both
engines (SQLite with its WAL file, PostgreSQL), and the rating path stays a handful of statements."""

import dataclasses
import threading

import pytest
from sqlalchemy import event, func, select

from rating.extensions import db
from rating.models import Rating
from rating.models.audit import AuditEntry
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare

THREADS = 8
RATINGS_PER_THREAD = 6
#: The citizen's rating: the post, then one statement for its situation (open cycle, holder, service hall, rated
#: today), the source's counter, the rating, its audit leaf (rating.services.intake).
MAX_STATEMENTS = 5


@pytest.fixture
def posts(committed_app, make_cycle, make_post):
    with committed_app.app_context():
        make_cycle()
        return [make_post(holder=f"虚构{n}").code for n in range(4)]


def _citizen(app, n: int, posts: list[str], outcomes: list, lock: threading.Lock) -> None:
    """One browser: rates posts as a new device each time, and once more as the same device (refused)."""
    client = app.test_client()
    token = csrf_token(client, f"/posts/{posts[0]}/rate")
    mine = []
    for i in range(RATINGS_PER_THREAD):
        code = posts[(n + i) % len(posts)]
        client.set_cookie("rid", f"device-{n}-{i}")
        tries = 2 if i == 0 else 1  # the first device tries its post twice the same day
        for _ in range(tries):
            response = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": str(1 + (n + i) % 5)})
            location = response.headers.get("Location", "")
            receipt = location.rsplit("/", 1)[1] if response.status_code == 302 and "/receipt/" in location else None
            mine.append((response.status_code, receipt))
    with lock:
        outcomes.extend(mine)


def test_concurrent_citizens_store_each_acknowledged_rating_once(committed_app, posts):
    outcomes, lock = [], threading.Lock()
    threads = [
        threading.Thread(target=_citizen, args=(committed_app, n, posts, outcomes, lock)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    acknowledged = [receipt for _status, receipt in outcomes if receipt]
    refused = [status for status, receipt in outcomes if not receipt]
    assert len(acknowledged) == THREADS * RATINGS_PER_THREAD
    assert refused == [409] * THREADS  # the same device on the same post the same day
    with committed_app.app_context():
        stored = list(db.session.scalars(select(Rating.receipt)))
        assert sorted(stored) == sorted(acknowledged)  # each acknowledged rating once, nothing else
        leaves = db.session.scalar(select(func.count()).where(AuditEntry.action == "rating.submit"))
        assert leaves == len(acknowledged)
        from rating.services.audit import verify_chain

        assert verify_chain().ok


def test_a_rating_takes_a_handful_of_statements(app, client, make_cycle, make_post):
    make_cycle()
    code = make_post(holder="虚构甲").code
    token = csrf_token(client, f"/posts/{code}/rate")
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.set_cookie("rid", "one-device")
        response = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "4"})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 302 and "/receipt/" in response.headers["Location"]
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)


def test_a_device_racing_itself_is_stored_once(app, client, make_cycle, make_post, monkeypatch):
    """Two submits of one device both read "not rated today" before either is stored (as when they run at once):
    the database keeps the first and the second is refused as the check would have refused it."""
    from rating.services import intake

    make_cycle()
    code = make_post(holder="虚构乙").code
    token = csrf_token(client, f"/posts/{code}/rate")
    client.set_cookie("rid", "racing-device")
    read = intake.situation
    monkeypatch.setattr(intake, "situation", lambda *args: dataclasses.replace(read(*args), rated_today=False))
    first = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "5"})
    second = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "1"})
    assert first.status_code == 302 and "/receipt/" in first.headers["Location"]
    assert second.status_code == 409 and "您今天已经评价过这个岗位了" in second.get_data(as_text=True)
    with app.app_context():
        assert [r.level for r in db.session.scalars(select(Rating))] == [5]
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "rating.submit")) == 1
    client.set_cookie("rid", "another-device")  # the index binds one device, not the post
    assert client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "3"}).status_code == 302
