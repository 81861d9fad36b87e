"""Helpers the adapters share: tidy a cell for our fields (the raw row keeps it untouched),
shorten a title or a summary to our limits, read a year or a date, look a value up in a
crosswalk whatever its case and spacing."""

import re
from datetime import date, datetime

from django.utils.translation import gettext as _

TITLE_MAX = 120
SUMMARY_MAX = 400
# Non-breaking and other Unicode spaces count as spaces.
_SPACES = re.compile(r"\s+", re.UNICODE)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2019": "'", "\u02bc": "'"})


def tidy(value) -> str:
    """A cell as text, trimmed, its runs of spaces (not its line breaks) made single."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    # At most one empty line in a row.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def key(value) -> str:
    """A value as a crosswalk looks it up: lower case, one space, plain dashes, no final dot."""
    text = _SPACES.sub(" ", str(value or "").translate(_DASHES)).strip().lower()
    return text.rstrip(".").strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and ended with « … » when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def title_of(value, notes: list[str], column: str) -> str:
    title = " ".join(tidy(value).split())
    if len(title) > TITLE_MAX:
        notes.append(
            _(
                "« %(column)s » : titre de %(n)s caractères raccourci à %(max)s (le titre complet "
                "reste dans la ligne d'origine)."
            )
            % {"column": column, "n": len(title), "max": TITLE_MAX}
        )
        return shorten(title, TITLE_MAX)
    return title


def summary_of(text: str) -> str:
    return shorten(text, SUMMARY_MAX)


TIME_RE = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s*[AaPp][Mm])?)$")
YEAR_RE = re.compile(r"^\s*((?:19|20)\d\d)(?:\.0)?\s*$")


def year_of(value) -> int | None:
    """A year written « 2021 » (or 2021.0 by a spreadsheet); None if blank or not a year."""
    match = YEAR_RE.match(str(value if value is not None else "").replace("\xa0", " "))
    return int(match.group(1)) if match else None


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "fev", "févr", "fevrier", "février"),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "decembre", "décembre"),
        ],
        start=1,
    )
    for name in names
}


def date_of(value) -> tuple[str | None, str]:
    """(ISO date, precision) of a date as registers write it: 2024-10-01 (00:00:00),
    10/1/2024 (0:00, 12:00:00 AM; US: month first), 01/2024, Mar-24, March 2024, 2024.
    Precision: "day", "month" or "year"; (None, "") when blank or unreadable."""
    text = " ".join(str(value if value is not None else "").split())
    # A time of day after the date says nothing more (« 8/20/2021 0:00 », « … 12:00:00 AM »).
    text = TIME_RE.sub("", text)
    if not text:
        return None, ""
    for pattern, precision in (
        ("%Y-%m-%d", "day"),
        ("%m/%d/%Y", "day"),
        ("%m/%d/%y", "day"),
        ("%m/%Y", "month"),
        ("%Y-%m", "month"),
    ):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return _bounded(parsed, precision)
    match = re.match(r"^([A-Za-zéèûô]+)\.?[-\s/]+(\d{2}|\d{4})$", text)
    if match and match.group(1).lower() in MONTHS:
        year = int(match.group(2))
        year = year + 2000 if year < 100 else year
        return _bounded(date(year, MONTHS[match.group(1).lower()], 1), "month")
    year = year_of(text)
    if year is not None:
        return date(year, 1, 1).isoformat(), "year"
    return None, ""


def _bounded(parsed: date, precision: str) -> tuple[str | None, str]:
    if not 1990 <= parsed.year <= 2100:
        return None, ""
    if precision != "day":
        parsed = parsed.replace(day=1)
    return parsed.isoformat(), precision


def lookup(table: dict, value):
    """The crosswalk's entry for a value (its keys written as `key` gives them), or None."""
    return table.get(key(value))


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value.strip()
