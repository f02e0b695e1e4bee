"""Live updates: pages poll here with the `live_version` they rendered.

An unchanged poll costs only the request's own authentication queries (the agency, with its
`live_version`, comes with the acting producer) and answers 204 with an empty body, which
htmx does not swap. A changed version answers with the affected partials.
"""

import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from salesculture.access import producer_required
from salesculture.selectors import producer_get_visible

from .selectors import newest_id, wins_feed
from .views import BadWeek, bad_week, poll_seconds, team_context


def _unchanged(request) -> bool | None:
    """True when the page is up to date; None when the version parameter is malformed."""
    value = request.GET.get("v", "")
    if not value:
        return False
    try:
        return int(value) == request.agency.live_version
    except ValueError:
        return None


def _seen(request) -> int | None:
    """The newest celebration id the page showed; larger ids are new (None: unknown)."""
    try:
        return int(request.GET["seen"])
    except (KeyError, ValueError):
        return None


def _not_modified() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def _celebrate(response: HttpResponse, celebrations, seen: int | None, hide_prospects: bool,
               actor) -> None:
    """A toast for the newest new win, through app.js's `toast` trigger."""
    if seen is None:
        return
    fresh = [c for c in celebrations if c.pk > seen]
    if not fresh:
        return
    newest = fresh[0]
    text = newest.title
    if hide_prospects and newest.stage_advance_id and newest.producer_id != actor.pk:
        text = f"{newest.producer.name} moved a prospect to {newest.stage_advance.to_stage.name}"
    if len(fresh) > 1:
        text += f" (+{len(fresh) - 1} more)"
    # No emoji: the toast must read the same on a screen without an emoji font.
    response["HX-Trigger"] = json.dumps({"toast": {"text": f"New win: {text}", "kind": "win"}})


@producer_required
def live_team(request):
    """The team page's poll: 204 when nothing changed, else the scorecard partial (which
    carries the next poller) plus the wins feed swapped out of band."""
    unchanged = _unchanged(request)
    if unchanged is None:
        return HttpResponseBadRequest("The version must be a number.")
    if unchanged:
        return _not_modified()
    try:
        context = team_context(request)
    except BadWeek as error:
        return bad_week(request, str(error))
    seen = _seen(request)
    context.update(oob=True, new_after=seen)
    response = render(request, "accountability/scorecards/team.html#live", context)
    response["Cache-Control"] = "no-store"
    _celebrate(response, context["celebrations"], seen, context["hide_prospects"],
               request.producer)
    return response


@producer_required
def live_wins(request):
    """The standalone wins feed's poll (e.g. on a producer's week): 204 or the feed."""
    actor = request.producer
    producer = None
    # Checked before the version, so a producer id the actor may not see is always a 404.
    if request.GET.get("producer"):
        producer = producer_get_visible(actor=actor, producer_id=request.GET["producer"])
    unchanged = _unchanged(request)
    if unchanged is None:
        return HttpResponseBadRequest("The version must be a number.")
    if unchanged:
        return _not_modified()
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
    _celebrate(response, celebrations, seen, hide, actor)
    return response
