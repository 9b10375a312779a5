"""What a citizen sees of a verdict (评议结果): the ranking, the title lists, one post's breakdown, downloads and the
printable notice; a draft only while it is under public notice and marked as such, nothing provisional and nothing
private; corrections as new versions with the old ones readable; pages answered from memory, with ETags, and
never in another reader's language."""

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import Complaint, Post
from rating.models.base import utcnow
from rating.models.cycles import Cycle, CycleStatus
from rating.models.ratings import Rating
from rating.models.results import Result, ResultKind, ResultSet
from rating.results.charts import BIN, histogram
from rating.scoring.method import MethodSettings
from rating.scoring.verdict import service_band
from rating.services import audit
from rating.services import objections as objection_service
from rating.services.verdict import export, lifecycle, publication
from tests.conftest import build_database, make_app

YEAR = local_today().year  #: the demo's current cycle, which has every component
PAGES = ["", "/titles", "/posts/DT-001", "/print", "/results.csv", "/results.xlsx", "/results.json"]
LINE = re.compile(r'<tr class="line[^"]*"><td>(\d+)</td><td><a href="[^"]*"><span class="code">([^<]+)</span>')
BADGE = re.compile(r'<tr class="line(?: line-(\w+))?">')


def _cycle(year: int = YEAR) -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def _shown_set(year: int = YEAR) -> ResultSet:
    return publication.public_result(_cycle(year))


@pytest.fixture
def notice(app) -> int:
    """The current cycle computed and under public notice (公示)."""
    with app.app_context():
        cycle = _cycle()
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        db.session.commit()
    return YEAR


def _end_notice(app) -> None:
    with app.app_context():
        _cycle().notice_ends_on = local_today() - timedelta(days=1)
        db.session.commit()


@pytest.fixture
def published(app, notice) -> int:
    """The current cycle published after its notice period ended yesterday."""
    _end_notice(app)
    with app.app_context():
        lifecycle.publish(audit.CLI, _cycle())
        db.session.commit()
    return YEAR


def _page(client, path: str = "", year: int = YEAR, **kwargs):
    return client.get(f"/results/{year}{path}", **kwargs)


def _text(client, path: str = "", year: int = YEAR) -> str:
    response = _page(client, path, year)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _lines(app) -> list[Result]:
    with app.app_context():
        rows = _shown_set().rows
        db.session.expunge_all()
        return rows


# --- what is public when ------------------------------------------------------------------------------------------


def test_open_computed_and_provisional_results_are_never_public(app, client):
    with app.app_context():
        lifecycle.compute_provisional(_cycle())
        db.session.commit()
    assert all(_page(client, path).status_code == 404 for path in PAGES)
    with app.app_context():
        lifecycle.compute_final(audit.CLI, _cycle())  # a draft, not yet in notice
        db.session.commit()
    assert all(_page(client, path).status_code == 404 for path in PAGES)
    assert f"{YEAR} 年度评议结果" not in client.get("/results/").get_data(as_text=True)


def test_index_says_so_when_nothing_is_public(engine_name, request, tmp_path):
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_database")()
    build_database(url, seed=False)
    app = make_app(url)
    page = app.test_client().get("/results/").get_data(as_text=True)
    assert "目前还没有公示或公布的评议结果" in page
    assert app.test_client().get("/results/2020").status_code == 404
    with app.app_context():
        db.engine.dispose()


def test_draft_under_notice_is_public_and_marked_as_such(app, client, notice):
    page = _text(client)
    assert "公示中" in page and "这是正在公示的计算结果(草案)" in page
    with app.app_context():
        cycle = _cycle()
        ends = cycle.notice_ends_on.isoformat()
        draft = publication.latest(cycle, ResultKind.DRAFT)
        assert publication.public_result(cycle).id == draft.id
        assert draft.content_hash in page and "公示稿 第 1 稿" in page
    assert f"请于 {ends} 前提出" in page
    if "results.objections" in app.view_functions:
        assert f'href="/results/{YEAR}/objections"' in page
    assert _page(client).headers["Cache-Control"] == "no-cache"
    index = client.get("/results/").get_data(as_text=True)
    assert f"{YEAR} 年度评议结果" in index and f"至 {ends}" in index
    _end_notice(app)
    later = _text(client)
    assert "公示期已于" in later and "前提出" not in later


def test_after_publication_the_published_set_replaces_the_draft(app, client, notice):
    with app.app_context():
        draft = _shown_set().content_hash
    assert draft in _text(client)
    _end_notice(app)
    with app.app_context():
        lifecycle.publish(audit.CLI, _cycle())
        db.session.commit()
        shown = _shown_set()
        assert shown.kind == ResultKind.PUBLISHED and shown.version == 1
        digest = shown.content_hash
    page = _text(client)  # at once, though the lookup is remembered for a few seconds
    assert digest in page and "第 1 版" in page and "首次公布" in page
    assert draft not in page and "公示中" not in page and "草案" not in page


# --- the ranking, the lists and the breakdown -------------------------------------------------------------------


def test_ranking_lists_every_line_in_order_with_its_title(app, client, published):
    page = _text(client)
    lines = _lines(app)
    ranked = [row for row in lines if row.rank is not None]
    assert [(int(rank), code) for rank, code in LINE.findall(page)] == [(row.rank, row.post_code) for row in ranked]
    assert [row.rank for row in ranked] == list(range(1, len(ranked) + 1))
    # A holder in post too briefly has a line after the ranking, named, with no place and no title.
    unranked = lines[len(ranked) :]
    assert all(row.rank is None and row.title is None for row in unranked)
    assert page.count("<td>不参加排名</td>") == len(unranked)
    assert all(row.holder_name in page for row in unranked)
    assert BADGE.findall(page) == [row.title or "" for row in lines]
    first = lines[0]
    assert first.holder_name in page and f"{first.composite:.2f}" in page and "标兵岗位" in page
    assert "行政告诫" in page and "优秀岗位" in page
    assert "m = 20" in page and "40%" in page  # the method used


def test_title_lists_hold_20_benchmark_40_excellent_and_5_warned_posts(client, published):
    page = _text(client, "/titles")
    sections = dict(re.findall(r'<section class="title-list" id="(\w+)"[^>]*>(.*?)</section>', page, re.S))
    counts = {key: body.count(f'<tr class="line line-{key}">') for key, body in sections.items()}
    assert counts == {"benchmark": 20, "excellent": 40, "warning": 5}
    assert '标兵岗位 <span class="muted">(20 个)' in page


def test_breakdown_shows_how_s_c_and_t_came_about(app, client, published):
    lines = _lines(app)
    with app.app_context():
        mean, m = _shown_set().mean, MethodSettings().prior_weight
    line = lines[0]
    page = _text(client, f"/posts/{line.post_code}")
    low, high = service_band(line.service, line.rating_spread, line.rating_weight, m)
    assert f"Σw = {line.rating_weight:g},Σw·v = {line.rating_value_sum:g},μ = {mean:.2f},m = {m:g}" in page
    assert f"({line.rating_value_sum:g} + {m:g} × {mean:.2f}) / ({line.rating_weight:g} + {m:g})" in page
    assert f"{line.service:.2f}" in page and f"{low:.2f} – {high:.2f}" in page
    unverified = line.ratings - line.verified_ratings
    assert f"已验证(评价码或短信验证手机){line.verified_ratings} 条,未验证 {unverified} 条" in page
    ranked = sum(row.rank is not None for row in lines)
    assert f"第 {line.rank} 名 / 共 {ranked} 个岗位" in page and "评为标兵岗位" in page
    complained = next(row for row in lines if row.complaints_substantiated or row.complaints_partly)
    page = _text(client, f"/posts/{complained.post_code.lower()}")
    deductions = (
        complained.inspection_deductions + 10 * complained.complaints_substantiated + 5 * complained.complaints_partly
    )
    assert f"C = max(0, 100 − {deductions:g}) = <strong>{complained.conduct:.2f}</strong>" in page
    warned = next(row for row in lines if row.title == "warning")
    assert "给予行政告诫" in _text(client, f"/posts/{warned.post_code}")
    for rule, words in [("ineligible_grade", "基本称职或不称职"), ("discipline_veto", "一票否决")]:
        ruled = next((row for row in lines if row.rule == rule), None)
        if ruled is not None:
            assert words in _text(client, f"/posts/{ruled.post_code}")
    assert _page(client, "/posts/XX-999").status_code == 404


def _earlier_year(code: str) -> int:
    """A published cycle before the current one with a line for ``code``: the demo's history, else one made here."""
    year = YEAR - 1
    if _cycle(year) is not None:
        return year
    cycle = Cycle(year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31), status=CycleStatus.PUBLISHED)
    db.session.add(cycle)
    db.session.flush()
    older = ResultSet(
        cycle_id=cycle.id,
        kind=ResultKind.PUBLISHED,
        version=1,
        computed_by="test",
        method=MethodSettings().to_dict(),
        mean=70.0,
        ranked=1,
        content_hash="0" * 64,
        published_at=utcnow(),
    )
    db.session.add(older)
    db.session.flush()
    post = db.session.scalar(select(Post).where(Post.code == code))
    db.session.add(
        Result(
            result_set_id=older.id, position=1, post_id=post.id, post_code=code, post_title=post.title,
            unit_code="U", unit_name="往年单位", holder_name="往年责任人", service=80.0, assessment=85.0,
            conduct=100.0, inspection=90.0, composite=85.5, rank=1, title="benchmark", rule="benchmark",
            eligible=True, ratings=0, verified_ratings=0, rating_weight=0.0, rating_value_sum=0.0,
        )
    )  # fmt: skip
    return year


def test_a_post_shows_its_lines_across_published_cycles(app, client, published):
    code = "DT-001"
    with app.app_context():
        earlier = _earlier_year(code)
        db.session.commit()
        older = db.session.scalar(
            select(Result)
            .join(ResultSet)
            .join(Cycle)
            .where(Cycle.year == earlier, Result.post_code == code, ResultSet.kind == ResultKind.PUBLISHED)
            .order_by(ResultSet.version.desc())
        )
        composite = f"{older.composite:.2f}"
    breakdown = _text(client, f"/posts/{code}")
    history = breakdown.split("历年评议结果", 1)[1]
    assert f'href="/results/{earlier}/posts/{code}"' in history and composite in history
    assert f'href="/results/{YEAR}/posts/{code}"' not in history  # the other cycles, not this one again
    post_page = client.get(f"/posts/{code}").get_data(as_text=True)
    assert "历年评议结果" in post_page
    assert (
        f'href="/results/{YEAR}/posts/{code}"' in post_page and f'href="/results/{earlier}/posts/{code}"' in post_page
    )


def test_distribution_chart_is_inline_svg_coloured_by_class(app, client, published):
    page = _text(client)
    svg = page[page.index("<svg") : page.index("</svg>")]
    counts = [int(n) for n in re.findall(r"<title>\d+–\d+: [^<]* (\d+)</title>", svg)]
    assert sum(counts) == sum(row.rank is not None for row in _lines(app))  # the ranked lines
    assert {"bar-benchmark", "bar-excellent", "bar-none", "bar-warning"} <= set(re.findall(r"bar-\w+", svg))
    for path in ("", "/titles", "/posts/DT-001", "/print"):
        assert "style=" not in _text(client, path) and "<script" not in _text(client, path)


@pytest.mark.parametrize(
    ("composites", "first_bin", "bins"),
    [
        ([65.0, 69.99, 70.0, 94.5], 65, 6),  # a value on a bin edge opens the next bin
        ([99.0, 100.0], 95, 1),  # 100 stays in the last bin, never a bin of its own past 100
        ([42.0], 40, 1),
    ],
)
def test_histogram_bins_are_five_points_wide_and_cover_every_composite(composites, first_bin, bins):
    class Line:
        def __init__(self, composite, title=None):
            self.composite, self.title = composite, title
            self.rank = None if composite is None else 1  # unranked lines are not in the distribution

    chart = histogram([Line(value) for value in composites] + [Line(None)])
    assert chart.total == len(composites) and sum(s.count for s in chart.segments) == len(composites)
    assert chart.x_ticks[0].label == str(first_bin) and len(chart.x_ticks) == bins + 1
    assert all(s.low % BIN == 0 and s.height > 0 for s in chart.segments)
    assert histogram([Line(None)]) is None


# --- downloads and the printable notice -------------------------------------------------------------------------


#: The web downloads' headings on the Chinese site: the open-data fields in words, then the withheld reason.
HEADINGS = [
    "名次",
    "岗位编号",
    "岗位",
    "单位",
    "责任人",
    "服务对象评议 S",
    "年度考核 A",
    "暗访投诉考核 C",
    "综合检查评议 I",
    "综合得分 T",
    "评价数",
    "称号",
    "参加排名",
    "未评称号原因",
]


def test_downloads_are_the_shown_set_as_csv_xlsx_and_json(app, client, published):
    lines = len(_lines(app))  # ranked and unranked alike
    csv_text = _text(client, "/results.csv")
    assert csv_text.lstrip("\ufeff").splitlines()[0] == ",".join(HEADINGS)
    assert len(csv_text.strip().splitlines()) == lines + 1
    response = _page(client, "/results.xlsx")
    assert f"results-{YEAR}-v1.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == HEADINGS and sheet.max_row == lines + 1
    assert sheet.title == f"{YEAR} 年度评议结果"
    document = _page(client, "/results.json").get_json()
    with app.app_context():
        cycle = _cycle()
        assert document == json.loads(json.dumps(export.document(cycle, publication.public_result(cycle))))
    assert _page(client, "/results.pdf").status_code == 404


def test_printable_notice_is_a_notice_during_notice_and_an_announcement_after(app, client, notice):
    page = _text(client, "/print")
    assert f"关于 {YEAR} 年度关键岗位公务员评议结果的公示" in page and "公示期为" in page
    assert 'media="print"' in page and "css/print.css" in page
    _end_notice(app)
    with app.app_context():
        lifecycle.publish(audit.CLI, _cycle())
        db.session.commit()
    page = _text(client, "/print")
    assert f"关于 {YEAR} 年度关键岗位公务员评议结果的公告" in page
    assert "一、标兵岗位(20 个)" in page and "二、优秀岗位(40 个)" in page and "三、行政告诫(5 个)" in page


# --- corrections ------------------------------------------------------------------------------------------------


def test_a_correction_is_a_new_version_and_the_old_one_stays_readable(app, client, published):
    first_page = _text(client)
    with app.app_context():
        first = _shown_set().content_hash
        lifecycle.publish_correction(audit.CLI, _cycle(), "更正:一件投诉的结论经复核改为部分属实")
        db.session.commit()
        second = _shown_set().content_hash
    assert first in first_page and second not in first_page
    page = _text(client)  # the cached first version is not served for the corrected set
    assert second in page and "第 2 版" in page and "更正:一件投诉的结论经复核改为部分属实" in page
    assert f'href="/results/{YEAR}/versions/1"' in page and f'href="/results/{YEAR}/versions/2"' in page
    old = _text(client, "/versions/1")
    assert first in old and "这是第 1 版,已被第 2 版更正" in old
    assert f"/api/v1/cycles/{YEAR}/results?version=1" in old
    assert _page(client, "/versions/3").status_code == 404
    assert "第 2 版(含更正)" in client.get("/results/").get_data(as_text=True)


# --- caching ----------------------------------------------------------------------------------------------------


def test_pages_carry_an_etag_and_answer_304_from_memory(app, client, published, monkeypatch):
    first = _page(client)
    assert first.headers["Cache-Control"] == "public, max-age=60" and "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]
    renders = []
    with monkeypatch.context() as patch:
        patch.setattr(publication, "result_set", lambda set_id: renders.append(set_id))  # a render would fail
        again = _page(client, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
        assert _page(client).data == first.data and renders == []
    assert _page(client, "/titles").headers["ETag"] != etag


def test_the_other_language_is_never_served_from_the_cache(client, published):
    chinese = _page(client)
    assert "岗位名录" in chinese.get_data(as_text=True)
    client.get("/lang/en")
    english = _page(client, headers={"If-None-Match": chinese.headers["ETag"]})
    assert english.status_code == 200 and english.headers["ETag"] != chinese.headers["ETag"]
    text = english.get_data(as_text=True)
    assert "Post directory" in text and "岗位名录" not in text
    client.get("/lang/zh")
    assert _page(client).data == chinese.data


def test_signed_in_staff_and_pending_messages_are_never_cached(app, client, login_as, published):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "只给这一位读者的消息")]
    flashed = _text(client)
    assert "只给这一位读者的消息" in flashed
    assert "只给这一位读者的消息" not in _text(client)
    staff = login_as("admin")
    response = _page(staff)
    assert response.headers["Cache-Control"] == "private, no-store" and "ETag" not in response.headers
    assert "后台" in response.get_data(as_text=True)


# --- nothing private --------------------------------------------------------------------------------------------


def test_public_result_pages_show_nothing_private(app, client):
    with app.app_context():
        cycle = _cycle()
        complaint = db.session.scalar(select(Complaint).where(Complaint.post_id.is_not(None)).limit(1))
        complaint.complainant_name, complaint.complainant_phone = "投诉人甲某", "13912345678"
        rater_hashes = [h for h in db.session.scalars(select(Rating.rater_hash).limit(200)) if h]
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        objection_service.lodge_objection(
            cycle, "第三名的岗位去年曾被通报,请核实其暗访扣分。", contact="objector@example.org"
        )
        db.session.commit()
        code = complaint.post.code
    private = ["投诉人甲某", "13912345678", "objector@example.org", "请核实其暗访扣分", *rater_hashes]
    pages = [client.get("/results/"), client.get(f"/posts/{code}")]
    pages += [_page(client, path.replace("DT-001", code)) for path in PAGES]
    for response in pages:
        assert response.status_code == 200
        if response.request.path.endswith(".xlsx"):
            body = " ".join(str(cell.value) for row in load_workbook(io.BytesIO(response.data)).active for cell in row)
        else:
            body = response.get_data(as_text=True)
        assert not [value for value in private if value in body], response.request.path


def test_a_withheld_title_says_why_on_the_ranking_and_within_the_title_lists(app, client, published):
    with app.app_context():
        rows = _shown_set().rows
        withheld = [row for row in rows if row.rule in ("ineligible_grade", "discipline_veto")]
        last_excellent = max(row.rank for row in rows if row.title == "excellent")
    assert withheld, "the demo withholds a title from a grade or a veto"
    ranking, titles = _text(client), _text(client, "/titles")
    for row in withheld:
        reason = "未评称号:违规违纪一票否决" if row.rule == "discipline_veto" else "未评称号:年度考核为基本称职或不称职"
        line = re.search(rf'<tr class="line"><td>{row.rank}</td>.*?</tr>', ranking).group(0)
        assert reason in line
        if row.rank < last_excellent:  # the list does not skip a rank without saying why
            assert f'<td class="num rank">{row.rank}</td>' in titles and reason in titles


def test_s_a_c_i_are_explained_in_words_above_the_ranking(client, published):
    page = _text(client)
    assert page.index("服务对象评议:办事群众的评价") < page.index('<table class="table ranking"')
    assert "<abbr" not in page  # nothing explained only on hover


def _download_rows(client, fmt="xlsx", **kwargs) -> list[dict]:
    response = _page(client, f"/results.{fmt}", **kwargs)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_downloads_give_titles_in_words_and_why_a_title_was_withheld(app, client, published):
    with app.app_context():
        rows = _shown_set().rows
        withheld = {
            (row.post_code, row.holder_name): row.rule
            for row in rows
            if row.rule in ("ineligible_grade", "discipline_veto")
        }
        titled = {(row.post_code, row.holder_name): row.title for row in rows if row.title}
    assert withheld, "the demo withholds a title from a grade or a veto"
    reasons = {
        "discipline_veto": "未评称号:违规违纪一票否决",
        "ineligible_grade": "未评称号:年度考核为基本称职或不称职",
    }
    words = {"benchmark": "标兵岗位", "excellent": "优秀岗位", "warning": "行政告诫"}
    for fmt in ("csv", "xlsx"):
        lines = {(line["岗位编号"], line["责任人"]): line for line in _download_rows(client, fmt)}
        for code, rule in withheld.items():
            assert lines[code]["未评称号原因"] == reasons[rule] and lines[code]["称号"] in ("", None)
        assert all(lines[code]["称号"] == words[title] for code, title in titled.items())
        assert {line["参加排名"] for line in lines.values()} == {"是", "否"}
    xlsx = _download_rows(client)
    assert isinstance(xlsx[0]["综合得分 T"], float) and isinstance(xlsx[0]["名次"], int)


def test_the_english_site_downloads_english_headings_and_titles(app, client, published):
    client.get("/lang/en")
    lines = _download_rows(client)
    assert list(lines[0])[:3] == ["Rank", "Post code", "Post"]
    assert lines[0]["Title"] == "Benchmark post" and "Reason no title was given" in lines[0]
    assert any((line["Reason no title was given"] or "").startswith("No title:") for line in lines)
    sheet = load_workbook(io.BytesIO(_page(client, "/results.xlsx").data)).active
    assert sheet.title == f"{YEAR} evaluation results"
    ranking = _text(client)  # the names in the English ranking are marked as Chinese
    assert re.search(r'<td><span lang="zh-CN">[^<]+</span></td>', ranking)
    document = _page(client, "/results.json").get_json()  # open data keep their field names in every language
    assert document["results"][0]["title"] == "benchmark" and "post_code" in document["results"][0]
