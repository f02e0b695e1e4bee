"""The team scorecard and the producer drill-down.

What each role sees (principle 1: producers see the team scorecard without prospect details):
- owners: every team, every column, every producer's drill-down;
- leaders: every team's board with every column; drill-down into their own team's producers;
- producers (and non-selling staff): the board of any team with each colleague's scorecard
  numbers (commitments done vs committed, wins, kept %, trend), but not colleagues' open
  pipeline or goal-plan label, and the wins feed names the stage but not the colleague's
  prospect; they can drill into their own row only. The page says so in a short note above
  the board, so nobody has to guess why a column is missing.

The whole agency's board ("All teams", an owner's default) of an agency with several teams is
a line per team, summed by the database; each team's rows open under its line on demand. A
team's board is the team's rows, as before.

The board of this week also sums up last week (who kept every commitment, who missed some,
the most stage wins): what a leader wants to know first on a Monday. The wins feed beside
the board follows its week: the newest wins (live) on this week, that week's wins on another.

A board is rendered once per live version for everyone who sees it alike, and cached
(boards.py); only the viewer's own row is marked per request.
"""

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

from ..planning.rolefit import role_fit_from, role_fit_get, role_fit_weeks
from .boards import Scope, shared_board
from .feed import newest_id
from .live import scope_version
from .presenters import valid_sort
from .selectors import WEEK_FEED_LIMIT, producer_drilldown, team_wins_feed
from .summary import NO_TEAM

TEAM_PAGE = "accountability/scorecards/team.html"


def poll_seconds() -> int:
    """How often open pages poll (LIVE_POLL_SECONDS, default 10), read per request."""
    return getattr(settings, "LIVE_POLL_SECONDS", 10)


class BadWeek(Exception):
    """A `week` parameter that is not a date; the message says so to the user."""


def week_from(request) -> Week:
    try:
        week = Week.parse(request.agency, request.GET.get("week"))
    except ValueError as error:
        raise BadWeek(str(error)) from None
    return week or Week.current(request.agency)


def bad_week(request, message: str, back: str = "") -> HttpResponseBadRequest:
    """400 with the parser's message and a way back to this week of the same page."""
    return HttpResponseBadRequest(render_to_string(
        "accountability/scorecards/bad_week.html",
        {"message": message, "back": back or reverse("accountability:team")}, request=request))


def team_choice(request) -> Scope:
    """`?team=<id>` one team (404 for another agency's), `?team=all` everyone, `?team=none`
    the people on no team; by default a leader or producer sees their own team and an owner
    the whole agency. The actor's own team comes with the actor (no query)."""
    actor: Producer = request.producer
    value = request.GET.get("team", "")
    if value in ("all", NO_TEAM):
        return Scope(None, value)
    if value:
        team = (actor.team if actor.team_id and value == str(actor.team_id)
                else team_get(agency=actor.agency, team_id=value))
        return Scope(team, str(team.pk))
    if actor.is_owner or not actor.team_id:
        return Scope(None, "all")
    return Scope(actor.team, str(actor.team_id))


def sort_choice(request) -> tuple[str, bool]:
    """`?sort=<column>&dir=desc`: a column the board sorts by ("" for none) and whether the
    order is turned around."""
    return valid_sort(request.GET.get("sort", "")), request.GET.get("dir") == "desc"


def state_query(week: Week, scope: Scope, sort: str, desc: bool) -> str:
    """The board's week, team and sort, for its poller (as `BoardLinks.state_query`)."""
    state = {"week": week.start.isoformat(), "team": scope.param}
    if sort:
        state.update(sort=sort, dir="desc" if desc else "asc")
    return urlencode(state)


# --- the page -----------------------------------------------------------------------------------

def team_context(request, scope: Scope | None = None) -> dict:
    """The team page's context, for the page, its scorecard partial and its live poll."""
    agency = request.agency
    week = week_from(request)
    scope = scope or team_choice(request)
    sort, desc = sort_choice(request)
    # Read before the board: a board rendered from newer rows than its version is only
    # re-rendered once more; one older than its version would never be.
    version = scope_version(agency, scope.team)
    celebrations, feed_week = team_wins_feed(agency, week, scope.team, scope.no_team)
    return {
        "board_html": shared_board(actor=request.producer, scope=scope, week=week,
                                   version=version, sort=sort, desc=desc),
        "state_query": state_query(week, scope, sort, desc),
        "team_param": scope.param,
        "celebrations": celebrations,
        "feed_week": feed_week,
        "feed_limit": WEEK_FEED_LIMIT,
        "seen": newest_id(celebrations),
        "version": version,
        "poll_seconds": poll_seconds(),
        "hide_prospects": not request.producer.is_leader,
    }


def team_rows_context(request, scope: Scope) -> dict:
    """One team's rows as the whole-agency board opens them under the team's line."""
    week = week_from(request)
    version = scope_version(request.agency, scope.team)
    return {
        "board_html": shared_board(actor=request.producer, scope=scope, week=week,
                                   version=version, rows_only=True),
        "state_query": state_query(week, scope, "", False),
        "team_param": scope.param,
        "version": version,
        "poll_seconds": poll_seconds(),
    }


def _team_wins_context(request) -> dict:
    """The wins feed alone needs no board: just the team's celebrations."""
    scope = team_choice(request)
    celebrations, feed_week = team_wins_feed(request.agency, week_from(request), scope.team,
                                             scope.no_team)
    return {"celebrations": celebrations, "feed_week": feed_week,
            "hide_prospects": not request.producer.is_leader}


@producer_required
def team_scorecard_view(request):
    target = request.htmx.target if request.htmx else None
    try:
        if target == "team-wins":
            template, context = TEAM_PAGE + "#wins", _team_wins_context(request)
        else:
            partial = "#scorecard" if target == "team-scorecard" else ""
            template, context = TEAM_PAGE + partial, team_context(request)
            # A leader's home: alerts on top, fetched by the page once it has shown the board
            # (an owner's are the whole agency's: the board must not wait for them).
            context["alerts_lazy"] = not partial and request.producer.is_leader
    except BadWeek as error:
        return bad_week(request, str(error))
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
    this_week = Week.current(request.agency)
    producer.agency = request.agency  # the same row (visible means of the same agency)
    fit_weeks = role_fit_weeks(request.agency) if _shows_fit(request.producer, producer) else []
    data = producer_drilldown(producer=producer, week=week, this_week=this_week,
                              also_weeks=fit_weeks)
    return render(request, "accountability/scorecards/drilldown.html", {
        "producer": producer,
        "week": week,
        "this_week": this_week,
        "prev_week": week.shift(-1),
        "next_week": week.shift(1),
        "data": data,
        "fit": _role_fit(request.producer, producer, data) if fit_weeks else None,
    })


def _shows_fit(actor: Producer, producer: Producer) -> bool:
    """A leader sees the role-fit flag where they look at the person's numbers (role fit
    lists the active)."""
    return actor.is_leader and producer.pk != actor.pk and producer.is_active


def _role_fit(actor: Producer, producer: Producer, data):
    """From the drill-down's own read of the person's cards and plan; a week too far back to
    show has none read, and role fit reads its own."""
    if data is not None:
        return role_fit_from(producer, data.cards, data.plan)
    try:
        return role_fit_get(actor=actor, producer_id=producer.pk)
    except Http404:
        return None
