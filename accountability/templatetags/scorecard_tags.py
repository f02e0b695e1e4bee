"""Small server-rendered charts (inline SVG, no chart library), number formats and the wins
feed's pieces, for the team scorecard, the drill-down, the digest and every wins feed."""

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from accountability.scorecards import feed
from accountability.scorecards.production import Production
from salesculture.numbers import number_text, percent_text

register = template.Library()


def _points(values: list, width: float, height: float, pad: float, top: float) -> list[tuple]:
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)
    usable = height - 2 * pad
    points = []
    for i, v in enumerate(values):
        if v is None:
            points.append(None)
            continue
        y = height - pad - (usable * (v / top) if top else 0)
        points.append((round(pad + i * step, 1), round(y, 1)))
    return points


@register.simple_tag
def sparkline(values, width=104, height=28, label="", top=None):
    """A line of the values (oldest first) with the last point marked.

    `None` values break the line (a week with no scorecard). Accessible: role=img with a
    label listing the first and last values.
    """
    values = list(values or [])
    if not values:
        return ""
    numbers = [v for v in values if v is not None]
    top = top if top is not None else max(numbers, default=0)
    points = _points(values, width, height, 3, top)
    segments, current = [], []
    for p in points:
        if p is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(p)
    if current:
        segments.append(current)
    lines = format_html_join(
        "", '<polyline points="{}" />',
        ((" ".join(f"{x},{y}" for x, y in seg),) for seg in segments if len(seg) > 1))
    last = next((p for p in reversed(points) if p is not None), None)
    dot = format_html('<circle cx="{}" cy="{}" r="2.5" />', *last) if last else ""
    text = label or f"{len(values)} weeks: " + ", ".join(
        "–" if v is None else _short(v) for v in values)
    return format_html(
        '<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{t}"><title>{t}</title><g class="spark-line">{lines}</g>'
        '<g class="spark-dot">{dot}</g></svg>',
        w=width, h=height, t=text, lines=lines, dot=dot)


@register.simple_tag
def bars(values, labels=None, width=320, height=90, label="", percent=False):
    """Vertical bars for a weekly series, each with a title (week and value) for hover."""
    values = list(values or [])
    if not values:
        return ""
    labels = list(labels or [""] * len(values))
    top = 1 if percent else max([v for v in values if v is not None] or [0]) or 1
    gap = 3
    bar_w = (width - gap * (len(values) - 1)) / len(values)
    parts = []
    for i, v in enumerate(values):
        x = round(i * (bar_w + gap), 1)
        shown = "no scorecard" if v is None else (f"{round(100 * v)}%" if percent else str(v))
        h = 0 if v is None else max(1.5, (height - 14) * v / top) if v else 1.5
        y = round(height - 12 - h, 1)
        parts.append(format_html(
            '<g><title>{}: {}</title><rect x="{}" y="{}" width="{}" height="{}" rx="2" '
            'class="{}"/></g>', labels[i], shown, x, y, round(bar_w, 1), round(h, 1),
            "bar-empty" if not v else "bar"))
    first, last = labels[0], labels[-1]
    axis = format_html(
        '<text x="0" y="{y}" class="axis">{a}</text>'
        '<text x="{w}" y="{y}" class="axis" text-anchor="end">{b}</text>',
        y=height - 1, a=first, b=last, w=width)
    return format_html(
        '<svg class="bars" viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="none" '
        'role="img" aria-label="{t}"><title>{t}</title>{parts}{axis}</svg>',
        w=width, h=height, t=label, parts=mark_safe("".join(parts)), axis=axis)


def _short(value) -> str:
    if isinstance(value, float):
        return percent_text(value)
    return str(value)


@register.filter
def money(value) -> str:
    """$1,234 below ten thousand, $12.3k and $1.2M above: dense tables stay readable."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    if abs(value) >= 1_000_000:
        return f"${number_text(value / 1_000_000, 1)}M"
    if abs(value) >= 10_000:
        return f"${number_text(value / 1000, 1)}k"
    return f"${number_text(value, 0, grouped=True)}"


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{number_text(value, 0)}%"


@register.filter
def median(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


@register.filter
def ago(moment) -> str:
    """“just now” for the first minute, then Django's timesince ("3 hours, 2 minutes ago")."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


# Every stage advance carries this motto as its detail; repeated on each line of a feed it is
# noise, so the feed shows only details that say something about that win.
GENERIC_DETAIL = "Success is the next step."


@register.filter
def win_detail(detail: str) -> str:
    return "" if (detail or "").strip() == GENERIC_DETAIL else (detail or "")


# Wins feed icons as inline SVG: the same on every device, including an office TV without an
# emoji font (where 🎉 and 🏆 render as empty boxes).
_WIN_ICONS = {
    "advance": ("Stage advance", '<path d="M10 15.5v-11M5 9.5l5-5 5 5"/>'),
    "bound": ("New client", '<path d="M10 3.2l2 4.3 4.7.5-3.5 3.2 1 4.6L10 13.5l-4.2 2.3 1-4.6'
                            '-3.5-3.2 4.7-.5z"/>'),
    "personal_best": ("Personal best", '<path d="M6.5 3.5h7v3.5a3.5 3.5 0 0 1-7 0zM6.5 5H4a2.5 '
                                       '2.5 0 0 0 2.7 3M13.5 5H16a2.5 2.5 0 0 1-2.7 3M10 10.5v3'
                                       'M7 16.5h6M8 13.5h4v3H8z"/>'),
    "kept_week": ("Every commitment kept", '<path d="M5 10.5l3.2 3.2L15 7"/>'),
    "streak": ("Streak of kept weeks", '<path d="M10 17c-3 0-5-2-5-4.6 0-2.6 2-4 2.6-6.4.9 1.4 '
                                       '1.6 2 2.4 2.2C10 5.5 11 3.8 12.6 3c-.3 2 .6 3.4 1.6 4.8.8'
                                       ' 1.1 1.4 2.4 1.4 4 0 3-2.5 5.2-5.6 5.2z"/>'),
}


@register.filter
def feed_page(celebrations) -> feed.FeedPage:
    """The wins a feed shows at once, and the rest it folds away."""
    return feed.FeedPage.of(celebrations or [])


@register.simple_tag
def win_text(celebration, hide_prospects=False, viewer=None) -> str:
    return feed.win_text(celebration, hide_prospects=bool(hide_prospects), viewer=viewer)


@register.simple_tag
def win_icon(celebration) -> str:
    kind = celebration.kind
    if kind == "advance" and (celebration.detail or "").startswith("Bound"):
        kind = "bound"
    label, path = _WIN_ICONS.get(kind, _WIN_ICONS["advance"])
    return format_html(
        '<span class="win-icon win-icon-{}" role="img" aria-label="{}"><svg viewBox="0 0 20 20" '
        'width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg></span>',
        kind, label, mark_safe(path))  # noqa: S308 (constant markup above)


@register.filter
def production(card) -> Production:
    """A scorecard's production numbers, as every page shows them (zeros without a card)."""
    return Production.of(card)
