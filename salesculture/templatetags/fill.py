"""`{{ share|fill }}`: the class that draws a bar `share` percent full.

The Content-Security-Policy forbids style attributes (settings.py), so a bar cannot carry
`style="width: 37%"`. Instead `fill-37` (static/css/fill.css) sets `--fill: 37%` and each kind
of bar takes its width from that variable. Whole percents are plenty for a bar on a screen.
"""

from django import template

from salesculture.numbers import half_up

register = template.Library()


@register.filter
def fill(share) -> str:
    """`fill-0` … `fill-100`: `share` (a percent) rounded half up and kept within 0–100; a
    missing value draws an empty bar."""
    rounded = half_up(share)
    return f"fill-{min(100, max(0, int(rounded))) if rounded is not None else 0}"
