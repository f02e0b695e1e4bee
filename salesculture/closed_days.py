"""The days an agency is closed: weekdays it never works (Saturday and Sunday unless the owner
says otherwise) and listed dates (holidays). No morning list goes out on a closed day."""

import datetime as dt

from django.core.exceptions import ValidationError

from .models import WEEKDAYS, Agency

DATE_FORMAT_HELP = "one date a line, as 2026-12-25"
MAX_CLOSED_DATES = 200


def is_closed_on(agency: Agency, day: dt.date) -> bool:
    return day.weekday() in (agency.closed_weekdays or []) or (
        day.isoformat() in (agency.closed_dates or []))


def closed_dates_parse(text: str) -> list[str]:
    """The dates of the settings' text box, sorted ISO strings without repeats; anything after
    the date on a line is a note for the owner ("2026-12-25 Christmas") and is dropped. A line
    that does not start with a date is refused, naming the line."""
    dates = set()
    for number, line in enumerate((text or "").splitlines(), 1):
        word = line.strip().split(" ", 1)[0].strip(",;")
        if not word:
            continue
        try:
            dates.add(dt.date.fromisoformat(word).isoformat())
        except ValueError:
            raise ValidationError(f"Line {number}: “{word[:20]}” is not a date; write "
                                  f"{DATE_FORMAT_HELP}.") from None
    if len(dates) > MAX_CLOSED_DATES:
        raise ValidationError(f"List at most {MAX_CLOSED_DATES} dates; remove past ones.")
    return sorted(dates)


def closed_weekdays_label(weekdays: list[int]) -> str:
    names = dict(WEEKDAYS)
    return ", ".join(names[d] for d in sorted(weekdays or []) if d in names) or "none"
