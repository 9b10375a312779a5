"""The reader's language and time zone: catalogue plumbing, the labels templates see, date filters shown in
Asia/Shanghai. The labels themselves live in rating.labels."""

import re
from functools import cached_property, lru_cache

import flask
from babel import support
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup, escape
from wtforms.i18n import messages_path

from rating.labels import (
    CYCLE_STATUS_LABELS,
    GRADE_LABELS,
    INSPECTION_KIND_LABELS,
    ROLE_LABELS,
    UNIT_KIND_LABELS,
    deduction_label,
)
from rating.labels.accountability import (
    ENTRY_STATUS_LABELS,
    LEDGER_SOURCE_LABELS,
    MEASURE_LABELS,
    TRANSFER_STATUS_LABELS,
)
from rating.labels.ratings import WITHHELD_RULE_LABELS


@lru_cache(maxsize=4)
def _form_translations(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Request(flask.Request):
    """The app's request: hands Flask-WTF its validator messages from memory instead of reading the catalogue file
    again on every request (it looks for ``request.wtforms_translations`` first), and only when a form asks, so a
    request that builds no form (an API call, a cached page, a plain rating) never works out its language for it."""

    @cached_property
    def wtforms_translations(self):
        return _form_translations(str(get_locale()))


def template_globals() -> dict:
    return {
        "get_locale": get_locale,
        "UNIT_KIND_LABELS": UNIT_KIND_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
        "CYCLE_STATUS_LABELS": CYCLE_STATUS_LABELS,
        "INSPECTION_KIND_LABELS": INSPECTION_KIND_LABELS,
        "GRADE_LABELS": GRADE_LABELS,
        "WITHHELD_RULE_LABELS": WITHHELD_RULE_LABELS,
        "deduction_label": deduction_label,
        "TRANSFER_STATUS_LABELS": TRANSFER_STATUS_LABELS,
        "MEASURE_LABELS": MEASURE_LABELS,
        "LEDGER_SOURCE_LABELS": LEDGER_SOURCE_LABELS,
        "ENTRY_STATUS_LABELS": ENTRY_STATUS_LABELS,
    }


#: Han characters: a name holding one is Chinese.
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def chinese_name(value) -> Markup:
    """``|zh``: a proper name from the office's data (post, unit, holder) as it stands in the page's text. On the
    English site a Chinese name is marked ``lang="zh-CN"``, so that screen readers pronounce it as Chinese and the
    browser picks Chinese glyphs (WCAG 3.1.2); on the Chinese site it is the page's own language. Not for
    ``<title>`` or ``<option>``, which hold text only."""
    text = "" if value is None else str(value)
    if str(get_locale()) == "zh" or not HAN.search(text):
        return escape(text)
    return Markup('<span lang="zh-CN">{}</span>').format(text)


def template_filters() -> dict:
    return {
        "date": lambda value: format_date(value, "yyyy-MM-dd") if value else "",
        "datetime": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
        "zh": chinese_name,
    }
