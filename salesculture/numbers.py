"""How a number is rounded for a person to read: half up, everywhere.

Python's round() rounds halves to even (round(0.25, 1) == 0.2, round(12.5) == 12) while
Django's floatformat rounds them up, so the same 0.25 read 0.2 on one page and 0.3 on
another. Every number shown goes through `half_up` (or the `number` and `percent` template
filters built on it), so a number reads the same wherever it is shown.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def half_up(value, places: int = 0) -> Decimal | None:
    """`value` rounded half up to `places` decimals; None when it is not a number."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number_text(value, places: int = 0, *, grouped: bool = False) -> str:
    """Rounded half up to `abs(places)` decimals; a negative `places` drops the decimals of a
    whole number (“3”, not “3.0”), as floatformat's “-1” does; `grouped` adds thousands
    separators (“12,346”)."""
    rounded = half_up(value, abs(places))
    if rounded is None:
        return ""
    if places < 0 and rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    return f"{rounded:,}" if grouped else str(rounded)


def percent_text(ratio, places: int = 0) -> str:
    """A ratio (0.25) as a percent (“25%”)."""
    rounded = half_up(ratio, places + 2)
    return "" if rounded is None else f"{number_text(rounded * 100, places)}%"
