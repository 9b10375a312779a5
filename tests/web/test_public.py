"""What a citizen sees: home, the post directory, post pages, 404s — in Chinese by default, English on request."""

import re

import pytest

pytestmark = pytest.mark.bare


@pytest.fixture(autouse=True)
def posts(make_cycle, make_unit, make_post):
    """This year's open cycle; TP-001 of 市虚构公安局 (M01) with its holder, duties and commitments, and TP-002 of
    another unit."""
    make_cycle()
    police = make_unit(name="市虚构公安局", code="M01")
    first = make_post(
        "TP-001",
        unit=police,
        holder="虚构戊",
        title="户籍科户籍审批岗",
        responsibilities=("受理辖区居民户口迁入及投靠落户申请", "办理户籍证明开具", "答复群众户籍政策咨询"),
        commitments=("材料齐全的当场办结", "一次性告知所需全部材料"),
    )
    return [first, make_post("TP-002", title="特种行业许可审批岗", unit=make_unit(code="M02"))]


def test_home_explains_platform_and_shows_current_cycle(client):
    page = client.get("/").get_data(as_text=True)
    assert "关键岗位公务员评议平台" in page
    assert "评议进行中" in page  # the open cycle
    assert 'action="/posts"' in page  # the search box searches the directory


def test_directory_lists_posts_twenty_to_a_page(client, make_posts):
    codes = sorted(["TP-001", "TP-002", *(post.code for post in make_posts(20))])
    page = client.get("/posts").get_data(as_text=True)
    assert "共 22 个岗位" in page
    assert page.count('class="post-card"') == 20
    assert codes[0] in page and codes[20] not in page
    second = client.get("/posts?page=2").get_data(as_text=True)
    assert second.count('class="post-card"') == 2
    assert codes[20] in second and codes[21] in second and codes[0] not in second


@pytest.mark.parametrize(
    ("query", "expected_code", "other_code"),
    [
        ("虚构戊", "TP-001", "TP-002"),  # holder
        ("户籍审批", "TP-001", "TP-002"),  # title
        ("投靠落户", "TP-001", "TP-002"),  # a responsibility line
        ("TP-002", "TP-002", "TP-001"),  # code
    ],
)
def test_directory_search_by_holder_title_duty_and_code(client, query, expected_code, other_code):
    page = client.get("/posts", query_string={"q": query}).get_data(as_text=True)
    assert expected_code in page and other_code not in page


def test_directory_search_by_unit_name_and_unit_filter(client, make_post, posts):
    make_post(unit=posts[0].unit)
    by_name = client.get("/posts", query_string={"q": "市虚构公安局"}).get_data(as_text=True)
    by_filter = client.get("/posts", query_string={"unit": "M01"}).get_data(as_text=True)
    assert "共 2 个岗位" in by_filter and "共 2 个岗位" in by_name
    assert "市虚构公安局" in by_filter and "TP-001" in by_filter and "TP-002" not in by_filter


def test_directory_empty_result_says_so_in_chinese(client):
    page = client.get("/posts", query_string={"q": "不存在的岗位名称xyz"}).get_data(as_text=True)
    assert "没有找到符合条件的岗位" in page
    assert "共 0 个岗位" in page


def test_search_treats_wildcards_literally(client):
    page = client.get("/posts", query_string={"q": "%"}).get_data(as_text=True)
    assert "共 0 个岗位" in page


def test_post_page_shows_holder_unit_duties_commitments(client):
    page = client.get("/posts/TP-001").get_data(as_text=True)
    assert "虚构戊" in page and "市虚构公安局" in page
    assert "受理辖区居民户口迁入" in page  # a responsibility
    assert "一次性告知所需全部材料" in page  # a commitment
    assert page.count("<li>") >= 5


def test_post_codes_are_case_insensitive(client):
    assert client.get("/posts/tp-001").status_code == 200


def test_unknown_post_is_a_chinese_404(client):
    response = client.get("/posts/DT-999")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_unknown_path_is_a_chinese_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_language_switch_remembers_english_and_back(client):
    response = client.get("/lang/en?next=/posts")
    assert response.status_code == 302 and response.headers["Location"] == "/posts"
    page = client.get("/posts").get_data(as_text=True)
    assert 'lang="en"' in page and "Post directory" in page and "岗位名录" not in page
    client.get("/lang/zh")
    assert "岗位名录" in client.get("/posts").get_data(as_text=True)


def test_language_switch_refuses_offsite_redirect(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("url", ["/", "/posts", "/posts/TP-001", "/login", "/posts/DT-999"])
def test_every_public_page_renders_in_both_languages(client, url):
    chinese = client.get(url)
    english = client.get(url, query_string={"lang": "en"})
    assert chinese.status_code == english.status_code
    assert 'lang="zh-CN"' in chinese.get_data(as_text=True)
    text = english.get_data(as_text=True)
    assert 'lang="en"' in text
    # The page chrome is English; Chinese may remain only in the office's own data (names, duties, units).
    chrome = re.sub(r"<main.*</main>|<title>.*</title>", "", text, flags=re.S)
    assert not re.search(r"[\u4e00-\u9fff]", chrome.replace("中文", "")), "untranslated chrome"


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_pages(client):
    for url in ["/", "/posts", "/posts/TP-001", "/login"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page
