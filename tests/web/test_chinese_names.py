"""Chinese proper names inside English pages (issue 15 item 9): a post's, unit's or holder's name is marked
lang="zh-CN" on the English site, so a screen reader reads it as Chinese; the Chinese site needs no mark."""

import pytest

from rating.i18n import chinese_name

pytestmark = pytest.mark.bare


@pytest.fixture
def post(make_cycle, make_unit, make_post):
    make_cycle()
    return make_post(unit=make_unit(name="市虚构民政局"), title="婚姻登记窗口岗", holder="林晓雨")


@pytest.mark.parametrize("path", ["/posts", "/posts/{code}", "/posts/{code}/rate"])
def test_english_pages_mark_chinese_names(client, post, path):
    url = path.format(code=post.code)
    chinese = client.get(url).get_data(as_text=True)
    assert "婚姻登记窗口岗" in chinese and 'lang="zh-CN">婚姻登记窗口岗' not in chinese
    client.get("/lang/en")
    english = client.get(url).get_data(as_text=True)
    assert '<span lang="zh-CN">婚姻登记窗口岗</span>' in english
    assert '<span lang="zh-CN">市虚构民政局</span>' in english
    assert '<span lang="zh-CN">林晓雨</span>' in english


def test_the_filter_escapes_and_leaves_latin_names_alone(app):
    with app.test_request_context("/?lang=en"):
        assert chinese_name("<b>婚姻</b>") == '<span lang="zh-CN">&lt;b&gt;婚姻&lt;/b&gt;</span>'
        assert chinese_name("DT-001") == "DT-001" and chinese_name(None) == ""

    with app.test_request_context("/"):
        assert chinese_name("婚姻") == "婚姻"
