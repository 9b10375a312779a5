"""Masking personal numbers in free text before anyone sees it. Plain Python.

Mainland mobile numbers (1[3-9]x, 11 digits), landlines with area code, and resident ID numbers (18 characters,
last may be X) are replaced by their first and last digits around asterisks; names of people a text names are kept
to the surname (张某) before a complaint's text is published.
"""

import re
from collections.abc import Iterable

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


#: Common surnames (百家姓, the most frequent), for a surname followed by a title: 王科长, 李主任.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_TITLES = "科长|副科长|局长|副局长|所长|主任|队长|站长|股长|处长|经理|警官|同志|师傅|老师|医生|干部"
_TITLED = re.compile(rf"[{_SURNAMES}](?=(?:{_TITLES}))")


def mask_name(name: str) -> str:
    """A person's name as the public may read it: the surname and 某 for each other character (张三 → 张某)."""
    return name[:1] + "某" * max(len(name) - 1, 1)


def mask_names(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with personal numbers masked, each of ``names`` (the people the case is known to involve) masked,
    longest first, and a common surname followed by a title (王科长 → 某科长) masked too."""
    text = mask_personal_numbers(text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return _TITLED.sub("某", text)
