"""What the obstacle lists show: how long an obstacle has been open, whether its owner is
late, whether it was carried over from an earlier week."""

import datetime as dt
from typing import NamedTuple

from ...models import Meeting
from .models import Obstacle


class Changes(NamedTuple):
    raised: list
    cleared: list


def age_label(days: int) -> str:
    if days < 1:
        return "raised today"
    if days < 7:
        return f"open {days} day{'s' if days != 1 else ''}"
    weeks = days // 7
    return f"open {weeks} week{'s' if weeks != 1 else ''}"


def decorate(rows: list[Obstacle], *, today: dt.date, tz: dt.tzinfo,
             meeting: Meeting | None = None) -> list[Obstacle]:
    """Adds `age`, `overdue`, `carried` (raised before this meeting) and `cleared_here`."""
    for o in rows:
        raised_on = o.raised_at.astimezone(tz).date()
        o.age = age_label((today - raised_on).days)
        o.overdue = o.closed_at is None and o.due_date < today
        o.carried = bool(meeting) and o.raised_in_id != meeting.pk and (
            o.raised_at < meeting.started_at)
        o.cleared_here = bool(meeting) and o.closed_at is not None
    return rows


def changes(rows: list[Obstacle], meeting: Meeting) -> Changes:
    return Changes(raised=[o for o in rows if o.raised_in_id == meeting.pk],
                   cleared=[o for o in rows if o.cleared_in_id == meeting.pk])
