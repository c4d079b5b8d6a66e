"""Numbers and months from addresses, parsed one way everywhere.

``int()`` is too generous for a query string: it accepts Arabic-Indic digits ("٣"),
underscores ("1_000") and spaces, and it raises ValueError past 4,300 digits, while
``str.isdigit()`` is true for "²", which ``int()`` refuses. Here a number is plain ASCII
digits within the range the database can store, and a month is "YYYY-MM" in ASCII.

``int_param`` turns a bad value into ``BadRequest``, which the project's 400 page renders.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils import timezone

# The largest id PostgreSQL's bigint and SQLite's INTEGER hold.
MAX_ID = 2**63 - 1
FIRST_YEAR = 2000

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class ParamError(ValueError):
    """A value from an address that is not what it should be; the message is for people."""


def _shown(raw: str) -> str:
    return raw if len(raw) <= 20 else f"{raw[:20]}…"


def parse_int(raw: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, or ParamError."""
    if not (raw.isascii() and raw.isdigit()):
        raise ParamError(f"should be a whole number such as 42, not “{_shown(raw)}”.")
    # Compare lengths first: int() refuses very long digit strings with a ValueError.
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        raise ParamError(f"should be {maximum:,} or less.")
    value = int(digits)
    if value < minimum:
        raise ParamError(f"should be {minimum:,} or more.")
    return value


def int_param(
    request: HttpRequest,
    name: str,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = MAX_ID,
) -> int | None:
    """The query-string parameter ``name`` as a number; ``default`` when absent or empty.

    Anything else than a plain number in range is a BadRequest (400).
    """
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        return parse_int(raw, minimum=minimum, maximum=maximum)
    except ParamError as exc:
        raise BadRequest(f"The “{name}” in this address {exc}") from None


def parse_month(raw: str) -> tuple[int, int]:
    """``raw`` ("YYYY-MM") as (year, month), for a month from January 2000 to this one.

    Later months have no figures yet, and the calendar's last month (9999-12) has no
    month after it to end on.
    """
    match = _MONTH.fullmatch((raw or "").strip())
    if not match:
        raise ParamError(f"Give the period as YYYY-MM, for example 2026-04, not “{_shown(raw)}”.")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ParamError(f"{match[0]} is not a month: the month must be between 01 and 12.")
    if year < FIRST_YEAR:
        raise ParamError(
            f"{match[0]} is before this site existed; give a year from {FIRST_YEAR} on."
        )
    now = timezone.localtime()
    if (year, month) > (now.year, now.month):
        raise ParamError(f"{match[0]} has not started yet; give {now:%Y-%m} or an earlier month.")
    return year, month
