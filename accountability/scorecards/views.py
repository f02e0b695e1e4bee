"""The team scorecard and the producer drill-down.

What each role sees (principle 1 and the issue's "producers see the team scorecard without
prospect details"):
- owners: every team, every column, every producer's drill-down;
- leaders: every team's board with every column; drill-down into their own team's producers;
- producers (and non-selling staff): the board of any team with each colleague's scorecard
  numbers (commitments done vs committed, wins, kept %, trend), but not colleagues' open
  pipeline or goal-plan label, and the wins feed names the stage but not the colleague's
  prospect; they can drill into their own row only. The page says so in a short note above
  the board, so nobody has to guess why a column is missing.

The board of this week also sums up last week (who kept every commitment, who missed some,
the most stage wins): what a leader wants to know first on a Monday. The wins feed beside
the board follows its week: the newest wins (live) on this week, that week's wins on another.
"""

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from salesculture.access import producer_required
from salesculture.models import Producer
from salesculture.selectors import producer_get_visible, team_get
from salesculture.weeks import Week

from ..planning.rolefit import role_fit_get
from .selectors import (
    WEEK_FEED_LIMIT,
    is_far_week,
    newest_id,
    producer_drilldown,
    shift_week,
    team_scorecard,
    wins_feed,
)


def poll_seconds() -> int:
    """How often open pages poll (LIVE_POLL_SECONDS, default 10), read per request."""
    return getattr(settings, "LIVE_POLL_SECONDS", 10)


class BadWeek(Exception):
    pass


def week_from(request) -> dt.date:
    try:
        week = Week.parse(request.agency, request.GET.get("week"))
    except ValueError as error:
        raise BadWeek(str(error)) from None
    return (week or Week.current(request.agency)).start


def bad_week(request, message: str, back: str = "") -> HttpResponseBadRequest:
    """400 with the parser's message and a way back to this week of the same page."""
    return HttpResponseBadRequest(render_to_string(
        "accountability/scorecards/bad_week.html",
        {"message": message, "back": back or reverse("accountability:team")}, request=request))


def team_choice(request):
    """`?team=<id>` one team (404 for another agency's), `?team=all` everyone; by default a
    leader or producer sees their own team and an owner the whole agency."""
    actor: Producer = request.producer
    value = request.GET.get("team", "")
    if value == "all":
        return None, "all"
    if value:
        team = team_get(agency=actor.agency, team_id=value)
        return team, str(team.pk)
    if actor.is_owner or not actor.team_id:
        return None, "all"
    return actor.team, str(actor.team_id)


def team_wins(request, week: dt.date, team) -> tuple[list, dt.date | None]:
    """This week: the newest wins (live). Another week: that week's wins, so what the feed
    shows always belongs to the board beside it. Returns (celebrations, the feed's week or
    None for "newest")."""
    if week == Week.current(request.agency).start:
        return wins_feed(request.agency, team=team), None
    if is_far_week(request.agency, week):
        return [], week
    return wins_feed(request.agency, team=team, week=week, limit=WEEK_FEED_LIMIT), week


def team_context(request) -> dict:
    actor: Producer = request.producer
    week = week_from(request)
    team, team_param = team_choice(request)
    sort = request.GET.get("sort", "")
    desc = request.GET.get("dir") == "desc"
    board = team_scorecard(actor=actor, week=week, team=team, sort=sort, desc=desc)
    celebrations, feed_week = team_wins(request, week, team)
    state = {"week": week.isoformat(), "team": team_param}
    if board.sort:
        state.update(sort=board.sort, dir="desc" if board.desc else "asc")
    base = {"week": week.isoformat(), "team": team_param}

    def sort_link(key: str) -> dict:
        if board.sort == key:
            direction = "asc" if board.desc else "desc"
            aria = "descending" if board.desc else "ascending"
        else:
            direction = "asc" if key in ("name", "plan") else "desc"
            aria = "none"
        return {"href": "?" + urlencode({**base, "sort": key, "dir": direction}), "aria": aria}

    return {
        "sorts": {key: sort_link(key) for key in ("name", "wins", "kept", "open", "value",
                                                   "plan")},
        "measure_columns": [(m, sort_link(f"m:{m.key}")) for m in board.measures],
        "week_links": {
            "prev": "?" + urlencode({**state, "week": board.prev_week.isoformat()})
            if board.prev_week else "",
            "next": "?" + urlencode({**state, "week": board.next_week.isoformat()})
            if board.next_week else "",
            "this": "?" + urlencode({**state, "week": board.this_week.isoformat()}),
        },
        "board": board,
        "celebrations": celebrations,
        "feed_week": feed_week,
        "feed_limit": WEEK_FEED_LIMIT,
        "seen": newest_id(celebrations),
        "version": request.agency.live_version,
        "poll_seconds": poll_seconds(),
        "full": actor.is_leader,
        "hide_prospects": not actor.is_leader,
        "state": state,
        "state_query": urlencode(state),
        "team_param": team_param,
    }


@producer_required
def team_scorecard_view(request):
    try:
        if request.htmx and request.htmx.target == "team-wins":
            # The wins feed alone needs no board: just the team's celebrations.
            team, _ = team_choice(request)
            celebrations, feed_week = team_wins(request, week_from(request), team)
            response = render(request, "accountability/scorecards/team.html#wins", {
                "celebrations": celebrations, "feed_week": feed_week,
                "hide_prospects": not request.producer.is_leader})
            response["Vary"] = "HX-Request"
            return response
        context = team_context(request)
    except BadWeek as error:
        return bad_week(request, str(error))
    template = "accountability/scorecards/team.html"
    if request.htmx and request.htmx.target == "team-scorecard":
        template += "#scorecard"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@producer_required
def producer_drilldown_view(request, producer_id: int):
    """A producer's 13 weeks. Leaders of the producer's team, owners, and the producer
    themself; anyone else (or another agency's id) gets 404."""
    producer = producer_get_visible(actor=request.producer, producer_id=producer_id)
    try:
        week = week_from(request)
    except BadWeek as error:
        return bad_week(request, str(error), back=request.path)
    data = None if is_far_week(request.agency, week) else producer_drilldown(
        producer=producer, week=week)
    fit = None  # a leader sees the role-fit flag where they look at the person's numbers
    if request.producer.is_leader and producer.pk != request.producer.pk:
        try:
            fit = role_fit_get(actor=request.producer, producer_id=producer.pk)
        except Http404:
            fit = None
    return render(request, "accountability/scorecards/drilldown.html", {
        "producer": producer,
        "week": week,
        "this_week": Week.current(request.agency).start,
        "prev_week": shift_week(week, -1),
        "next_week": shift_week(week, 1),
        "data": data,
        "full": request.producer.is_leader,
        "fit": fit,
    })
