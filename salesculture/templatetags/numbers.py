"""`{{ value|number:1 }}` (places as floatformat takes them) and `{{ ratio|percent }}`:
every number a person reads, rounded half up (salesculture/numbers.py). Loaded as a builtin,
so no page needs `{% load %}`."""

from django import template

from salesculture.numbers import number_text, percent_text

register = template.Library()


@register.filter
def number(value, places=0):
    """`places` as floatformat takes it: 1, "-1" (no decimals on a whole number), "0g"
    (thousands grouped)."""
    places = str(places)
    grouped = places.endswith("g")
    return number_text(value, int(places.rstrip("g") or 0), grouped=grouped)


@register.filter
def percent(ratio, places=0):
    return percent_text(ratio, int(places))
