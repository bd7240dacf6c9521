"""Subscribe-message data checks, by keyword type, as WeChat applies them before sending.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
(the table of keyword types and their value rules).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_DATE = rf"[0-9]{{4}}(?:年{_MONTH}月{_DAY}日|-{_MONTH}-{_DAY})"
_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
_TIME_POINT = rf"(?:{_DATE} ?)?{_CLOCK}"
_DATE_POINT = rf"{_DATE}(?: ?{_CLOCK})?"
# WeChat accepts a span of two points joined by "~" for both time and date.
_TIME = re.compile(rf"{_TIME_POINT}(?: ?~ ?{_TIME_POINT})?", re.ASCII)
_DATE_RE = re.compile(rf"{_DATE_POINT}(?: ?~ ?{_DATE_POINT})?", re.ASCII)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_LETTER = re.compile(r"[A-Za-z]+", re.ASCII)
_AMOUNT = re.compile(r"[¥￥$]?[0-9]{1,10}(?:\.[0-9]{1,2})?元?", re.ASCII)
_PHONE = re.compile(r"[0-9+\-]{1,17}", re.ASCII)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _thing(value: str) -> bool:
    return 0 < len(value) <= 20


def _number(value: str) -> bool:
    return len(value) <= 32 and bool(_NUMBER.fullmatch(value))


def _letter(value: str) -> bool:
    return len(value) <= 32 and bool(_LETTER.fullmatch(value))


def _symbol(value: str) -> bool:
    return 0 < len(value) <= 5 and all(_is_symbol(c) for c in value)


def _character_string(value: str) -> bool:
    return 0 < len(value) <= 32 and all(c.isascii() and (c.isalnum() or _is_symbol(c)) for c in value)


def _time(value: str) -> bool:
    return bool(_TIME.fullmatch(value))


def _date(value: str) -> bool:
    return bool(_DATE_RE.fullmatch(value))


def _amount(value: str) -> bool:
    return bool(_AMOUNT.fullmatch(value))


def _phone_number(value: str) -> bool:
    return bool(_PHONE.fullmatch(value))


def _car_number(value: str) -> bool:
    # first and last may be Chinese (province, 挂/学), the rest letters and digits
    if not 0 < len(value) <= 8:
        return False
    inner = value[1:-1] if len(value) > 2 else ""
    ends_ok = all((c.isascii() and c.isalnum()) or _is_cjk(c) for c in (value[0], value[-1]))
    return ends_ok and all(c.isascii() and c.isalnum() for c in inner)


def _name(value: str) -> bool:
    if not value or any(c.isdigit() for c in value):
        return False
    if any(_is_cjk(c) for c in value):
        return len(value) <= 10 and all(_is_cjk(c) or c.isalpha() or c in "·• " for c in value)
    return len(value) <= 20 and all(c.isalpha() or c == " " or _is_symbol(c) for c in value)


def _phrase(value: str) -> bool:
    return 0 < len(value) <= 5 and all(_is_cjk(c) for c in value)


KEYWORD_RULES: dict[str, Callable[[str], bool]] = {
    "thing": _thing,
    "number": _number,
    "letter": _letter,
    "symbol": _symbol,
    "character_string": _character_string,
    "time": _time,
    "date": _date,
    "amount": _amount,
    "phone_number": _phone_number,
    "car_number": _car_number,
    "name": _name,
    "phrase": _phrase,
}


def keyword_type(key: str) -> str:
    """The keyword type of a data key: the key without its trailing digits (thing12 -> thing)."""
    return key.rstrip("0123456789")


def value_is_valid(key: str, value: object) -> bool:
    """Whether WeChat would accept this value for this data key."""
    rule = KEYWORD_RULES.get(keyword_type(key))
    return rule is not None and isinstance(value, str) and rule(value)


def invalid_data_key(data: object) -> str | None:
    """The first data key WeChat would refuse, '' when data itself is malformed, None when all is well."""
    if not isinstance(data, dict) or not data:
        return ""
    for key, entry in data.items():
        if not isinstance(entry, dict) or not value_is_valid(key, entry.get("value")):
            return key
    return None
