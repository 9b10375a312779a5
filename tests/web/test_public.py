"""What a citizen sees: home, the post directory, post pages, 404s — in Chinese by default, English on request."""

import re

import pytest


def test_home_explains_platform_and_shows_current_cycle(client):
    page = client.get("/").get_data(as_text=True)
    assert "关键岗位公务员评议平台" in page
    assert "评议进行中" in page  # the seeded open cycle
    assert 'action="/posts"' in page  # the search box searches the directory


def test_directory_lists_100_demo_posts_paginated(client):
    page = client.get("/posts").get_data(as_text=True)
    assert "共 100 个岗位" in page
    assert page.count('class="post-card"') == 20
    assert "DT-001" in page and "DT-021" not in page
    second = client.get("/posts?page=2").get_data(as_text=True)
    assert "DT-021" in second and "DT-001" not in second


@pytest.mark.parametrize(
    ("query", "expected_code"),
    [
        ("赵文涛", "DT-001"),  # holder
        ("户籍审批", "DT-001"),  # title
        ("投靠落户", "DT-001"),  # a responsibility line
        ("DT-002", "DT-002"),  # code
    ],
)
def test_directory_search_by_holder_title_duty_and_code(client, query, expected_code):
    page = client.get("/posts", query_string={"q": query}).get_data(as_text=True)
    assert expected_code in page


def test_directory_search_by_unit_name_and_unit_filter(client):
    by_name = client.get("/posts", query_string={"q": "市公安局"}).get_data(as_text=True)
    by_filter = client.get("/posts", query_string={"unit": "M05"}).get_data(as_text=True)
    count = int(re.search(r"共 (\d+) 个岗位", by_filter).group(1))
    assert 1 <= count < 100
    assert f"共 {count} 个岗位" in by_name
    assert "市公安局" in by_filter and "DT-001" in by_filter


def test_directory_empty_result_says_so_in_chinese(client):
    page = client.get("/posts", query_string={"q": "不存在的岗位名称xyz"}).get_data(as_text=True)
    assert "没有找到符合条件的岗位" in page
    assert "共 0 个岗位" in page


def test_search_treats_wildcards_literally(client):
    page = client.get("/posts", query_string={"q": "%"}).get_data(as_text=True)
    assert "共 0 个岗位" in page


def test_post_page_shows_holder_unit_duties_commitments(client):
    page = client.get("/posts/DT-001").get_data(as_text=True)
    assert "赵文涛" in page and "市公安局" in page
    assert "受理辖区居民户口迁入" in page  # a responsibility
    assert "材料齐全的当场办结" in page  # a commitment
    assert page.count("<li>") >= 3


def test_post_codes_are_case_insensitive(client):
    assert client.get("/posts/dt-001").status_code == 200


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


@pytest.mark.parametrize("url", ["/", "/posts", "/posts/DT-001", "/login", "/posts/DT-999"])
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
    for url in ["/", "/posts", "/posts/DT-001", "/login"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page
