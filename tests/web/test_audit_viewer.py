"""The audit-log viewer (审计日志): the auditor and the administrator read, filter, page and export the log; nobody
else may, and nothing can be changed from it."""

import csv
import io
import re
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
import sqlalchemy as sa

from rating.admin import audit_log
from rating.extensions import db
from rating.models import AuditEntry, Post
from rating.services import audit
from tests.factories import ACTOR

pytestmark = pytest.mark.bare
BY = ACTOR.name  # who made the records below
PAGE, EXPORT = "/admin/audit", "/admin/audit/export.csv"
TABLE_ROW = re.compile(r"<tr>\s*<td>(\d+)</td>(.*?)</tr>", re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)
TAG = re.compile(r"<[^>]+>")


class Shown(NamedTuple):
    """One row of the viewer as the reader sees it."""

    seq: int
    actor: str
    action: str
    post: str


def _rows(client, query: str = "") -> list[Shown]:
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    rows = []
    for seq, rest in TABLE_ROW.findall(response.get_data(as_text=True)):
        cells = CELL.findall(rest)
        _at, actor, _action, _object, post, *_ = (TAG.sub("", cell).strip() for cell in cells)
        action = re.search(r"<code>(.*?)</code>", cells[2]).group(1)  # the raw name, beside its label
        rows.append(Shown(int(seq), actor, action, post))
    return rows


def _seqs(rows) -> list[int]:
    return [row.seq for row in rows]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _logged(app, *conditions) -> list[int]:
    """The seqs of the entries meeting the conditions, newest first, straight from the database."""
    with app.app_context():
        return db.session.scalars(sa.select(AuditEntry.seq).where(*conditions).order_by(AuditEntry.id.desc())).all()


def _newest_seq(app) -> int:
    return _logged(app)[0]


@pytest.fixture
def post(make_post):
    """A post (``post.create``, after its unit's ``unit.create``) whose title the export must carry."""
    return make_post(title="户籍科户籍审批岗")


@pytest.fixture
def long_history(post, make_posts):
    """More than a page of entries: fifty-five more posts of one unit."""
    make_posts(55)


@pytest.fixture
def cli_cycle(app, runner) -> int:
    """A known entry made the way an operator would: ``create-cycle 2031`` logs ``cycle.create`` by ``cli``."""
    result = runner.invoke(args=["create-cycle", "2031"])
    assert result.exit_code == 0, result.output
    return _newest_seq(app)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_newest_entries_come_first_fifty_to_a_page(app, login_as, long_history, role):
    assert _seqs(_rows(login_as(role))) == _logged(app)[:50]


def test_page_two_continues_where_page_one_ends(app, login_as, long_history):
    client = login_as("auditor")
    assert _seqs(_rows(client, "page=2")) == _logged(app)[50:100] != []
    assert client.get(f"{PAGE}?page=999").status_code == 404


def test_pages_keep_the_filters(app, login_as, long_history):
    client = login_as("auditor")
    by_factory = _logged(app, AuditEntry.actor == BY)
    assert len(by_factory) > 50
    page = client.get(f"{PAGE}?actor={BY}").get_data(as_text=True)
    assert f"共 {len(by_factory)} 条记录" in page
    assert f'href="/admin/audit?page=2&amp;actor={BY}"' in page
    second = _rows(client, f"actor={BY}&page=2")
    assert _seqs(second) == by_factory[50:100] and {row.actor for row in second} == {BY}


def test_filter_by_actor(login_as, post, cli_cycle):
    client = login_as("auditor")
    assert _rows(client, "actor=cli") == [Shown(cli_cycle, "cli", "cycle.create", "")]
    assert {row.actor for row in _rows(client, f"actor={BY}")} == {BY}
    assert _rows(client, "actor=nobody") == []


def test_filter_by_action_prefix(app, login_as, post, cli_cycle):
    client = login_as("auditor")
    cycles = _rows(client, "action=cycle.")
    assert _seqs(cycles) == _logged(app, AuditEntry.action.like("cycle.%"))[:50]
    assert cycles[0] == Shown(cli_cycle, "cli", "cycle.create", "")
    assert {row.action for row in _rows(client, "action=post.")} == {"post.create"}
    assert _rows(client, "action=cycle.c%25") == []  # a literal prefix, not a LIKE pattern


def test_filter_by_post_code_in_any_case(app, login_as, post, make_post):
    make_post()  # another post's entries are left out
    client = login_as("auditor")
    code = post.code
    rows = _rows(client, f"post={code.lower()}")
    assert _seqs(rows) == _logged(app, AuditEntry.post_id == Post.id, Post.code == code)[:50]
    assert {row.post for row in rows} == {code} and "post.create" in {row.action for row in rows}
    page = client.get(f"{PAGE}?post={code.lower()}").get_data(as_text=True)
    assert f'<a href="/admin/posts/{code}">{code}</a>' in page


def test_unknown_post_code_gives_an_empty_result_with_a_message(login_as):
    client = login_as("auditor")
    response = client.get(f"{PAGE}?post=XX-999")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "没有编号为 XX-999 的岗位" in page and "没有符合条件的审计记录" in page


def test_dates_are_whole_days_in_shanghai(app, runner, login_as, monkeypatch):
    with monkeypatch.context() as patch:  # 16:30 UTC on 29 February is 00:30 on 1 March in Shanghai
        patch.setattr(audit, "utcnow", lambda: datetime(2024, 2, 29, 16, 30, tzinfo=UTC))
        assert runner.invoke(args=["create-cycle", "2031"]).exit_code == 0
    seq = _newest_seq(app)
    client = login_as("auditor")
    assert _rows(client, "from=2024-03-01&to=2024-03-01") == [Shown(seq, "cli", "cycle.create", "")]
    assert _rows(client, "to=2024-02-29") == []
    later = _rows(client, "from=2024-03-02")
    assert later and seq not in _seqs(later)


def test_invalid_date_is_reported_and_ignored(login_as, post):
    client = login_as("auditor")
    page = client.get(f"{PAGE}?from=2026-02-30&actor={BY}").get_data(as_text=True)
    assert "“2026-02-30” 不是有效日期" in page
    assert _rows(client, f"from=2026-02-30&actor={BY}") == _rows(client, f"actor={BY}") != []
    assert 'id="from" name="from" type="date" value=""' in page


def test_page_runs_the_same_queries_for_one_row_or_fifty(app, login_as, long_history, cli_cycle):
    client = login_as("auditor")
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):  # not the test harness's SAVEPOINTs
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(_rows(client)) == 50
        fifty = len(statements)
        statements.clear()
        assert len(_rows(client, "actor=cli")) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == fifty <= 3  # the signed-in user, the page of rows and their count


def test_export_is_utf8_with_bom_and_has_the_filtered_rows(login_as, cli_cycle):
    client = login_as("auditor")
    page = client.get(f"{PAGE}?actor=cli").get_data(as_text=True)
    assert 'href="/admin/audit/export.csv?actor=cli"' in page
    response = client.get(f"{EXPORT}?actor=cli")
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''audit-log.csv"
    assert response.mimetype == "text/csv" and "X-Truncated" not in response.headers
    header, *rows = _csv(response)
    assert header == [
        "seq", "at", "actor", "action", "entity", "entity_id", "post_code", "before", "after", "prev_hash", "hash"
    ]  # fmt: skip
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["seq"], row["actor"], row["action"], row["entity"]) == (str(cli_cycle), "cli", "cycle.create", "cycle")
    assert row["at"].endswith("+08:00") and '"year":2031' in row["after"] and row["before"] == ""


def test_export_carries_chinese_and_post_codes(login_as, post):
    client = login_as("admin")
    header, *rows = _csv(client.get(f"{EXPORT}?post={post.code}"))
    assert rows and {row[header.index("post_code")] for row in rows} == {post.code}
    assert any("户籍科户籍审批岗" in row[header.index("after")] for row in rows)  # the post's title


def test_export_without_filters_has_every_entry_newest_first(app, login_as, post):
    _, *rows = _csv(login_as("auditor").get(EXPORT))
    assert [int(row[0]) for row in rows] == _logged(app)


def test_export_is_capped_and_says_so(login_as, long_history, monkeypatch):
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


def test_entries_read_as_labelled_actions_and_changed_fields(app, login_as, post, make_cycle, make_assessment):
    make_cycle()
    make_assessment(post, "competent")
    make_assessment(post, "excellent")
    client = login_as("auditor")
    page = client.get(f"{PAGE}?action=assessment.set").get_data(as_text=True)
    assert page.count("录入年度考核 <code>assessment.set</code>") == 2
    assert '<span class="field">考核等次</span>:称职 → 优秀</li>' in page  # the change, in words
    assert '<span class="field">考核等次</span>:称职</li>' in page  # the first entry: a value, nothing before
    assert "&#34;grade&#34;" not in page and '{"grade"' not in page  # no JSON left for the reader to decode
    created = client.get(f"{PAGE}?action=post.create").get_data(as_text=True)
    assert "新建岗位 <code>post.create</code>" in created and "户籍科户籍审批岗" in created


def test_only_changed_fields_are_listed():
    listed = audit_log.changes({"grade": "competent", "score": None}, {"grade": "competent", "score": 72.5})
    assert [(c.label, c.old, c.new) for c in listed] == [("分数", "—", "72.5")]
    assert audit_log.changes(None, None) == []
