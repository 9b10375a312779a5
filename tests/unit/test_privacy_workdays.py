"""Masking personal numbers in comments, and deadlines in Chinese working days."""

from datetime import date

import pytest

from rating.privacy import mask_contact, mask_personal_numbers
from rating.workdays import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话13812345678请回电", "我的电话138****5678请回电"),
        ("电话 +86 138-1234-5678", "电话 138****5678"),
        ("身份证140202199001011234", "身份证14**************4"),
        ("身份证14020219900101123X号", "身份证14**************X号"),
        ("座机0352-1234567", "座机0352-*****67"),
        ("办了3个小时,排队20人", "办了3个小时,排队20人"),
        ("订单号2026112700001", "订单号2026112700001"),
    ],
)
def test_personal_numbers_are_masked(text, masked):
    assert mask_personal_numbers(text) == masked


def test_contacts_are_masked_for_display():
    assert mask_contact("13812345678") == "138****5678"
    assert mask_contact("citizen@example.org") == "c***@example.org"


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (date(2026, 11, 27), 5, date(2026, 12, 4)),  # Friday + 5 working days, over a weekend
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # National Day week skipped; the make-up Saturday 10-10 counts
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday 2-14 is a make-up working day before Spring Festival
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # Spring Festival holiday skipped
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
    ],
)
def test_deadlines_skip_chinese_public_holidays(start, days, deadline):
    assert add_working_days(start, days) == deadline


def test_working_day_calendar():
    assert not is_working_day(date(2026, 10, 1))  # National Day
    assert is_working_day(date(2026, 1, 4))  # a Sunday worked in exchange for January 2
    assert not is_working_day(date(2026, 11, 28))  # an ordinary Saturday
