"""The audit-log viewer (审计日志): the auditor and the administrator read, filter, page and export the log; nobody
else may, and nothing can be changed from it."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from rating.admin import audit_log
from rating.extensions import db
from rating.models import AuditEntry
from rating.services import audit

PAGE, EXPORT = "/admin/audit", "/admin/audit/export.csv"
ROW = re.compile(r"<tr>\s*<td>(\d+)</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>")


def _rows(client, query: str = "") -> list[tuple[int, str, str]]:
    """(seq, actor, action) of each row of the viewer, as shown."""
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    return [(int(seq), actor, action) for seq, actor, action in ROW.findall(response.get_data(as_text=True))]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _newest_seq(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(AuditEntry.seq)))


@pytest.fixture
def cli_cycle(app, runner) -> int:
    """A known entry made the way an operator would: ``create-cycle 2031`` logs ``cycle.create`` by ``cli``."""
    result = runner.invoke(args=["create-cycle", "2031"])
    assert result.exit_code == 0, result.output
    return _newest_seq(app)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_newest_entries_come_first_fifty_to_a_page(app, login_as, role):
    client = login_as(role)
    seqs = [seq for seq, _, _ in _rows(client)]
    assert len(seqs) == 50
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == _newest_seq(app)


def test_page_two_continues_where_page_one_ends(login_as):
    client = login_as("auditor")
    first, second = _rows(client, "page=1"), _rows(client, "page=2")
    assert second and min(first)[0] > max(second)[0]
    assert client.get(f"{PAGE}?page=999").status_code == 404


def test_pages_keep_the_filters(login_as):
    client = login_as("auditor")
    page = client.get(f"{PAGE}?action=post.").get_data(as_text=True)
    assert "共 100 条记录" in page  # the demo posts
    assert 'href="/admin/audit?page=2&amp;action=post."' in page
    second = _rows(client, "action=post.&page=2")
    assert len(second) == 50 and {action for _, _, action in second} == {"post.create"}


def test_filter_by_actor(login_as, cli_cycle):
    client = login_as("auditor")
    assert _rows(client, "actor=cli") == [(cli_cycle, "cli", "cycle.create")]
    assert {actor for _, actor, _ in _rows(client, "actor=seed")} == {"seed"}
    assert _rows(client, "actor=nobody") == []


def test_filter_by_action_prefix(login_as, cli_cycle):
    client = login_as("auditor")
    cycles = _rows(client, "action=cycle.")
    assert [action for _, _, action in cycles] == ["cycle.create", "cycle.create"]  # the demo year's, then 2031's
    assert cycles[0][0] == cli_cycle
    assert _rows(client, "action=cycle.create") == cycles
    assert _rows(client, "action=cycle.c%25") == []  # a literal prefix, not a LIKE pattern


def test_filter_by_post_code_in_any_case(login_as):
    client = login_as("auditor")
    rows = _rows(client, "post=dt-001")
    assert [action for _, _, action in rows] == ["post.create"]
    page = client.get(f"{PAGE}?post=dt-001").get_data(as_text=True)
    assert '<a href="/admin/posts/DT-001">DT-001</a>' in page


def test_unknown_post_code_gives_an_empty_result_with_a_message(login_as):
    client = login_as("auditor")
    response = client.get(f"{PAGE}?post=XX-999")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "没有编号为 XX-999 的岗位" in page and "没有符合条件的审计记录" in page


def test_dates_are_whole_days_in_shanghai(app, runner, login_as, monkeypatch):
    # 16:30 UTC on 29 February is 00:30 on 1 March in Shanghai.
    monkeypatch.setattr(audit, "utcnow", lambda: datetime(2024, 2, 29, 16, 30, tzinfo=UTC))
    assert runner.invoke(args=["create-cycle", "2031"]).exit_code == 0
    monkeypatch.undo()
    seq = _newest_seq(app)
    client = login_as("auditor")
    assert _rows(client, "from=2024-03-01&to=2024-03-01") == [(seq, "cli", "cycle.create")]
    assert _rows(client, "to=2024-02-29") == []
    later = _rows(client, "from=2024-03-02")
    assert later and seq not in [s for s, _, _ in later]


def test_invalid_date_is_reported_and_ignored(login_as):
    client = login_as("auditor")
    page = client.get(f"{PAGE}?from=2026-02-30&actor=seed").get_data(as_text=True)
    assert "“2026-02-30” 不是有效日期" in page
    assert _rows(client, "from=2026-02-30&actor=seed") == _rows(client, "actor=seed")
    assert 'id="from" name="from" type="date" value=""' in page


def test_page_runs_the_same_queries_for_one_row_or_fifty(app, login_as, cli_cycle):
    client = login_as("auditor")
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(_rows(client)) == 50
        fifty = len(statements)
        statements.clear()
        assert len(_rows(client, "actor=cli")) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == fifty <= 4  # the signed-in user, the page of rows and their count


def test_export_is_utf8_with_bom_and_has_the_filtered_rows(login_as, cli_cycle):
    client = login_as("auditor")
    page = client.get(f"{PAGE}?actor=cli").get_data(as_text=True)
    assert 'href="/admin/audit/export.csv?actor=cli"' in page
    response = client.get(f"{EXPORT}?actor=cli")
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == "attachment; filename=audit-log.csv"
    assert response.mimetype == "text/csv" and "X-Truncated" not in response.headers
    header, *rows = _csv(response)
    assert header == [
        "seq", "at", "actor", "action", "entity", "entity_id", "post_code", "before", "after", "prev_hash", "hash"
    ]  # fmt: skip
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["seq"], row["actor"], row["action"], row["entity"]) == (str(cli_cycle), "cli", "cycle.create", "cycle")
    assert row["at"].endswith("+08:00") and '"year":2031' in row["after"] and row["before"] == ""


def test_export_carries_chinese_and_post_codes(login_as):
    client = login_as("admin")
    header, *rows = _csv(client.get(f"{EXPORT}?post=DT-001"))
    assert len(rows) == 1 and rows[0][header.index("post_code")] == "DT-001"
    assert "户籍" in rows[0][header.index("after")]


def test_export_without_filters_has_every_entry_newest_first(app, login_as):
    _, *rows = _csv(login_as("auditor").get(EXPORT))
    seqs = [int(row[0]) for row in rows]
    assert len(seqs) == _newest_seq(app) and seqs == sorted(seqs, reverse=True)


def test_export_is_capped_and_says_so(login_as, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_CAP", 10)
    response = login_as("auditor").get(EXPORT)
    assert response.headers["X-Truncated"] == "1"
    assert len(_csv(response)) == 1 + 10


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_nothing_can_be_changed_from_the_viewer(login_as, url):
    assert login_as("admin").post(url).status_code == 405


@pytest.mark.parametrize("url", [PAGE, EXPORT])
@pytest.mark.parametrize("role", ["hr_officer", "inspector", "unit_staff", "complaint_handler"])
def test_other_roles_are_refused(login_as, role, url):
    response = login_as(role).get(url)
    assert response.status_code == 403 and "无权访问" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_stranger_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
