"""Masking personal numbers in free text before anyone sees it. Plain Python.

Mainland mobile numbers (1[3-9]x, 11 digits), landlines with area code, and resident ID numbers (18 characters,
last may be X) are replaced by their first and last digits around asterisks.
"""

import re

_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")


def mask_personal_numbers(text: str) -> str:
    text = _ID.sub(lambda m: m.group(1)[:2] + "*" * 14 + m.group(4), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "-" + "*" * (len(m.group(2)) - 2) + m.group(2)[-2:], text)
    return text


def mask_contact(contact: str) -> str:
    """A contact shown to those who may know it exists but not read it: 138****5678, a***@example.org."""
    contact = contact.strip()
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return (name[:1] or "*") + "***@" + domain
    digits = re.sub(r"\D", "", contact)
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "****"
