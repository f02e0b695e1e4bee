"""The morning list: what a producer should know before the first call of the day. Today's
next steps, the overdue ones, the X-date windows that opened, and the team's wins since the
last working day. The same list is emailed (opt-in, morning_mail.py) and heads My week.

Read from the ledgers, not the materialised scorecards, so it is right at 7 a.m. even when
the scorecard job has not run since the evening. Three queries however many prospects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q

from pipeline.models import Prospect, Stage, StageAdvance
from pipeline.reads import LISTED_FIELDS
from pipeline.selectors import next_steps_summary, next_steps_with_summary
from pipeline.xdates import ORDER as XDATE_ORDER
from pipeline.xdates import WINDOW_DAYS as XDATE_WINDOW_DAYS
from salesculture.agency_cache import PAST_MOVES, agency_cached
from salesculture.closed_days import is_closed_on
from salesculture.models import Producer
from salesculture.selectors import person_name
from salesculture.weeks import local_now

# Each list stops here, with a count of the rest: a list read on a phone before a first call.
SHOWN = 10
# How far back the list looks for the last working day (a long closure, a holiday season).
LOOK_BACK_DAYS = 21


def last_working_day_before(producer: Producer, day: dt.date) -> dt.date:
    """The agency's last open day before `day` (on a Monday: Friday, when the weekend is
    closed); a day with nothing open before it in three weeks counts as yesterday."""
    agency = producer.agency
    for back in range(1, LOOK_BACK_DAYS + 1):
        earlier = day - dt.timedelta(days=back)
        if not is_closed_on(agency, earlier):
            return earlier
    return day - dt.timedelta(days=1)


@dataclass
class MorningList:
    producer: Producer
    day: dt.date
    since: dt.date  # team wins and opened X-date windows count from this day on
    due_today: list[Prospect] = field(default_factory=list)
    overdue: list[Prospect] = field(default_factory=list)
    due_today_count: int = 0
    overdue_count: int = 0
    xdates: list[Prospect] = field(default_factory=list)
    team_wins: list[TeamWin] = field(default_factory=list)
    team_wins_more: bool = False  # more than SHOWN: the list says "10+"

    @property
    def wins_label(self) -> str:
        if self.since == self.day - dt.timedelta(days=1):
            return "Yesterday’s wins"
        return f"Wins since {self.since:%A}"

    @property
    def summary(self) -> str:
        """One line for the folded list on My week: "2 today · 1 overdue · 3 team wins"."""
        parts = [f"{self.due_today_count} today" if self.due_today_count else "",
                 f"{self.overdue_count} overdue" if self.overdue_count else "",
                 f"{len(self.xdates)} X-date{'' if len(self.xdates) == 1 else 's'} open"
                 if self.xdates else "",
                 f"{len(self.team_wins)}{'+' if self.team_wins_more else ''} team win"
                 f"{'' if len(self.team_wins) == 1 else 's'}" if self.team_wins else ""]
        return " · ".join(p for p in parts if p) or "a clean slate"

    @property
    def team_win_lines(self) -> list[str]:
        """What each win says: the producer's own name their prospect; a colleague's names the
        stage, not the prospect (a colleague's clients are theirs, as on the wins feed)."""
        lines = []
        for win in self.team_wins:
            who = (f"You moved {win.prospect_name}" if win.producer_id == self.producer.pk
                   else f"{win.producer_name} moved a prospect")
            extra = f" ({win.wins} stage wins)" if win.wins > 1 else ""
            lines.append(f"{who} to {win.stage_name}{extra}")
        return lines

    @property
    def due_today_more(self) -> int:
        return max(0, self.due_today_count - len(self.due_today))

    @property
    def overdue_more(self) -> int:
        return max(0, self.overdue_count - len(self.overdue))

    @property
    def is_empty(self) -> bool:
        return not (self.due_today_count or self.overdue_count or self.xdates or self.team_wins)

    @property
    def subject(self) -> str:
        parts = [f"{self.due_today_count} next step{'' if self.due_today_count == 1 else 's'}"
                 " today"]
        if self.overdue_count:
            parts.append(f"{self.overdue_count} overdue")
        if self.xdates:
            parts.append(f"{len(self.xdates)} X-date{'' if len(self.xdates) == 1 else 's'} open")
        return f"Your morning list for {self.day:%A %B} {self.day.day}: {', '.join(parts)}"


def morning_list(producer: Producer, *, today: dt.date | None = None,
                 steps: list[Prospect] | None = None,
                 counts: dict[str, int] | None = None,
                 xdates_near: list[Prospect] | None = None) -> MorningList:
    """The producer's morning list for `today` (their agency's local date). My week passes
    the next steps and counts it has read already (`next_steps_with_summary`), and the
    prospects whose X-date window is open (`pipeline.selectors.xdates_near`)."""
    today = today or local_now(producer.agency).date()
    since = last_working_day_before(producer, today)
    # Today's first, then overdue (next_steps_due's order), capped; the counts are over all.
    if steps is None:
        steps, read = next_steps_with_summary(producer, limit=2 * SHOWN, today=today)
        counts = counts or read
    elif counts is None:
        counts = next_steps_summary(producer, today=today)
    listed = MorningList(
        producer=producer, day=today, since=since,
        due_today=[p for p in steps if p.due_state == "today"][:SHOWN],
        overdue=[p for p in steps if p.due_state == "overdue"][:SHOWN],
        due_today_count=counts["today"], overdue_count=counts["overdue"])
    listed.xdates = xdates_opened(producer, since=since, today=today, near=xdates_near)
    wins = team_wins_between(producer, since=since, today=today, limit=SHOWN + 1)
    listed.team_wins, listed.team_wins_more = wins[:SHOWN], len(wins) > SHOWN
    return listed


def xdates_opened(producer: Producer, *, since: dt.date, today: dt.date,
                  near: list[Prospect] | None = None) -> list[Prospect]:
    """The producer's prospects whose X-date window opened after `since`, up to today: on a
    Monday the weekend's too. Bound ones are clients already, not quotes to make. One query,
    or none from `near` (`xdates_near`: every window open today, of which these are the ones
    that opened since `since`, a working day at most LOOK_BACK_DAYS back)."""
    if near is not None:
        opened_after = since + dt.timedelta(days=XDATE_WINDOW_DAYS)
        return [p for p in near if p.x_date > opened_after][:SHOWN]  # `near` is in order
    return list(Prospect.objects.filter(
        agency=producer.agency, owner=producer,
        x_date__gt=since + dt.timedelta(days=XDATE_WINDOW_DAYS),
        x_date__lte=today + dt.timedelta(days=XDATE_WINDOW_DAYS))
        .exclude(stage__kind=Stage.Kind.WON).select_related("stage").only(*LISTED_FIELDS)
        .order_by(*XDATE_ORDER)[:SHOWN])


class TeamWin(NamedTuple):
    """What a line of the list says of a win: who, which prospect (one's own), which stage."""

    producer_id: int
    producer_name: str
    prospect_name: str
    stage_name: str
    wins: int


def team_wins_between(producer: Producer, *, since: dt.date, today: dt.date,
                      limit: int = SHOWN) -> list[TeamWin]:
    """The moves that won stages from the start of `since` to the start of `today`, by the
    producer's team (by the producer alone when they are on none), newest first. One query,
    read as bare rows, kept between changes: it heads every My week."""
    agency = producer.agency
    whose = ("team", producer.team_id) if producer.team_id else ("producer", producer.pk)
    # Days gone by: kept until a move of theirs changes (salesculture/agency_cache.py).
    return agency_cached(agency, (PAST_MOVES,), ("team-wins", *whose, since, today, limit),
                         lambda: _team_wins(producer, since=since, today=today, limit=limit))


def _team_wins(producer: Producer, *, since: dt.date, today: dt.date,
               limit: int) -> list[TeamWin]:
    tz = producer.agency.tz
    start = dt.datetime.combine(since, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(today, dt.time(0), tzinfo=tz)
    who = Q(producer__team_id=producer.team_id) if producer.team_id else Q(producer=producer)
    return [TeamWin(pk, person_name(first, last, username), prospect, stage, wins)
            for pk, first, last, username, prospect, stage, wins in StageAdvance.objects.filter(
                who, agency=producer.agency, is_win=True, source=StageAdvance.Source.LIVE,
                occurred_at__gte=start, occurred_at__lt=end)
            .order_by("-occurred_at", "-id")
            .values_list("producer_id", "producer__user__first_name", "producer__user__last_name",
                         "producer__user__username", "prospect__name", "to_stage__name",
                         "wins")[:limit]]
