"""French formats of dates: « 1er décembre 2026 » for the first of a month, as French writes it.

`day_format(value, "j F Y")` is Django's `date_format` with that one rule (in French only); the
templates use it as the `date_fr` filter (registry.templatetags.registry_extras)."""

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

FIRST = "j\\e\\r"  # « 1er »: the day, then the letters « er », escaped for Django's date format


def day_format(value: date | datetime | None, fmt: str = "j F Y") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.day == 1 and (get_language() or "fr").startswith("fr") and fmt.startswith("j"):
        fmt = FIRST + fmt[1:]
    return date_format(value, fmt)


MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-\d{2})?$")


def month_format(value: str) -> str:
    """A month written « AAAA-MM » (a source's date) as French writes it: « avril 2024 »; a year
    alone as it is; anything else as given."""
    match = MONTH.match((value or "").strip())
    if not match:
        return value or ""
    year, month = int(match.group(1)), match.group(2)
    if month is None:
        return str(year)
    if not 1 <= int(month) <= 12:
        return value
    return date_format(date(year, int(month), 1), "F Y")
