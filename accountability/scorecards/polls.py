"""Live updates: open pages poll here with the live version they rendered (`live.py`).

An unchanged poll costs only the request's own authentication queries (the agency and the
actor's team, with their `live_version`, come with the acting producer; another team's board
reads that team's row) and answers 204 with an empty body, which htmx does not swap. A changed
version answers with the affected partials, rendered once per version for everyone who sees
them alike.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from salesculture.access import producer_required
from salesculture.htmx import not_modified, toast
from salesculture.selectors import producer_get_visible

from .feed import newest_id, win_text
from .live import scope_version
from .selectors import wins_feed
from .views import (
    TEAM_PAGE,
    BadWeek,
    bad_week,
    poll_seconds,
    team_choice,
    team_context,
    team_rows_context,
)


@producer_required
def live_team(request):
    """The team page's poll: 204 when nothing its board shows changed, else the scorecard
    partial (which carries the next poller) plus the wins feed swapped out of band."""
    scope = team_choice(request)  # another agency's team is a 404, changed or not
    if (answer := _nothing_new(request, scope_version(request.agency, scope.team))) is not None:
        return answer
    try:
        context = team_context(request, scope)
    except BadWeek as error:
        return bad_week(request, str(error))
    seen = _seen(request)
    context.update(oob=True, new_after=seen)
    response = render(request, TEAM_PAGE + "#live", context)
    response["Cache-Control"] = "no-store"
    return _celebrate(response, context["celebrations"], seen=seen,
                      hide_prospects=context["hide_prospects"], actor=request.producer)


@producer_required
def live_team_rows(request):
    """One team's rows under its line on the whole-agency board: opened on demand (no `v`),
    then polled with the team's version like a team page."""
    scope = team_choice(request)
    if scope.param == "all":
        return HttpResponseBadRequest("Name the team whose rows to show.")
    if (answer := _nothing_new(request, scope_version(request.agency, scope.team))) is not None:
        return answer
    try:
        context = team_rows_context(request, scope)
    except BadWeek as error:
        return bad_week(request, str(error))
    response = render(request, TEAM_PAGE + "#team_rows", context)
    response["Cache-Control"] = "no-store"
    return response


@producer_required
def live_wins(request):
    """The standalone wins feed's poll (e.g. on a producer's week): 204 or the feed."""
    actor = request.producer
    producer = None
    # Checked before the version, so a producer id the actor may not see is always a 404.
    if request.GET.get("producer"):
        producer = producer_get_visible(actor=actor, producer_id=request.GET["producer"])
    if (answer := _nothing_new(request, request.agency.live_version)) is not None:
        return answer
    celebrations = wins_feed(actor.agency, producer=producer)
    seen = _seen(request)
    hide = not actor.is_leader
    response = render(request, "components/wins_feed.html", {
        # swapped: the page already has the feed's stylesheet and script; a poll that
        # answered them again would add another copy to the page each time.
        "celebrations": celebrations, "live": True, "swapped": True, "feed_producer": producer,
        "new_after": seen, "seen": newest_id(celebrations), "hide_prospects": hide,
        "version": request.agency.live_version, "poll_seconds": poll_seconds()})
    response["Cache-Control"] = "no-store"
    return _celebrate(response, celebrations, seen=seen, hide_prospects=hide, actor=actor)


def _nothing_new(request, version: int) -> HttpResponse | None:
    """204 when the page's version (`v`) is `version`, 400 when it is not a number; None
    when the page needs fresh partials (a changed version, or none given)."""
    value = request.GET.get("v", "")
    if not value:
        return None
    try:
        unchanged = int(value) == version
    except ValueError:
        return HttpResponseBadRequest("The version must be a number.")
    return not_modified() if unchanged else None


def _seen(request) -> int | None:
    """The newest celebration id the page showed; larger ids are new (None: unknown)."""
    try:
        return int(request.GET["seen"])
    except (KeyError, ValueError):
        return None


def _celebrate(response: HttpResponse, celebrations, *, seen: int | None,
               hide_prospects: bool, actor) -> HttpResponse:
    """A toast for the newest new win (none when the page's newest is unknown)."""
    fresh = [c for c in celebrations if c.pk > seen] if seen is not None else []
    if not fresh:
        return response
    text = win_text(fresh[0], hide_prospects=hide_prospects, viewer=actor)
    if len(fresh) > 1:
        text += f" (+{len(fresh) - 1} more)"
    # No emoji: the toast must read the same on a screen without an emoji font.
    return toast(response, f"New win: {text}", "win")
