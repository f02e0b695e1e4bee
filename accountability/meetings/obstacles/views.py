"""Clearing the path: the team's list of open and closed obstacles (anyone of the team raises
one there, its owner closes it), and the same two actions on the meeting screen, where the
driver raises one during a turn and closes them in the "Clear the path" section."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from salesculture.access import leader_required, local_path, producer_required
from salesculture.forms import add_service_errors
from salesculture.weeks import local_now

from ..views import RUN_TEMPLATE, _after_write, _stage_context, running_meeting
from .forms import ObstacleCloseForm, ObstacleForm
from .selectors import (
    may_close,
    obstacle_get,
    obstacle_team_get,
    obstacle_teams_for,
    running_meeting_of,
    team_obstacles,
)
from .services import obstacle_close, obstacle_raise

LIST_TEMPLATE = "accountability/meetings/obstacles/list.html"


def _today(actor):
    return local_now(actor.agency).date()


def _list_url(team) -> str:
    return reverse("accountability:obstacles") + f"?team={team.pk}"


def _render_list(request, team, *, form=None, close_form=None, closing=None, status=200):
    actor = request.producer
    return render(request, LIST_TEMPLATE, {
        "team": team, "teams": list(obstacle_teams_for(actor)) if actor.is_owner else [],
        "obstacles": team_obstacles(actor, team),
        "form": form or ObstacleForm(team=team, today=_today(actor)),
        "close_form": close_form, "closing": closing,
        "meeting": running_meeting_of(team),
    }, status=status)


@require_GET
@producer_required
def obstacle_list(request):
    team = obstacle_team_get(actor=request.producer, team_id=request.GET.get("team"))
    return _render_list(request, team)


@require_POST
@producer_required
def obstacle_raise_view(request):
    actor = request.producer
    team = obstacle_team_get(actor=actor, team_id=request.POST.get("team"))
    form = ObstacleForm(request.POST, team=team, today=_today(actor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            obstacle = obstacle_raise(team=team, actor=actor, text=data["text"],
                                      owner=data["owner"], due_date=data["due_date"],
                                      client_token=data["client_token"] or None)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Obstacle raised; {obstacle.owner.name} clears it by "
                             f"{obstacle.due_date:%b} {obstacle.due_date.day}.")
            return redirect(local_path(request, request.POST.get("next", ""))
                            or _list_url(team))
    return _render_list(request, team, form=form, status=400)


@require_POST
@producer_required
def obstacle_close_view(request, obstacle_id: int):
    actor = request.producer
    obstacle = obstacle_get(actor=actor, obstacle_id=obstacle_id)
    if not may_close(actor, obstacle):
        # Seen by the whole team, closed only by its owner or the meeting's driver.
        raise Http404("No such obstacle.")
    form = ObstacleCloseForm(request.POST)
    if form.is_valid():
        try:
            obstacle_close(obstacle=obstacle, actor=actor,
                           resolution=form.cleaned_data["resolution"])
        except PermissionDenied:
            raise Http404("No such obstacle.") from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Cleared: {obstacle.text}")
            return redirect(_list_url(obstacle.team))
    return _render_list(request, obstacle.team, close_form=form, closing=obstacle.pk,
                        status=400)


# --- on the meeting screen -------------------------------------------------------------------

def _render_stage(request, meeting, status, **extra):
    context = {**_stage_context(request, meeting), **extra}
    template = f"{RUN_TEMPLATE}#stage" if request.htmx else RUN_TEMPLATE
    return render(request, template, context, status=status)


@require_POST
@leader_required
@running_meeting
def meeting_obstacle_raise_view(request, meeting):
    """The driver raises an obstacle for the producer whose turn it is (or for the team)."""
    actor = request.producer
    form = ObstacleForm(request.POST, team=meeting.team, today=_today(actor))
    raised_by = next((t.producer for t in meeting.turns.select_related("producer")
                      if str(t.producer_id) == request.POST.get("for")), None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            obstacle = obstacle_raise(team=meeting.team, actor=actor, text=data["text"],
                                      owner=data["owner"], due_date=data["due_date"],
                                      raised_by=raised_by, meeting=meeting,
                                      client_token=data["client_token"] or None)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError)
                               else ValidationError(str(error)))
        else:
            meeting.refresh_from_db()
            return _after_write(request, meeting,
                                f"Obstacle raised; {obstacle.owner.name} clears it.", "win")
    return _render_stage(request, meeting, 400, obstacle_form=form)


@require_POST
@leader_required
@running_meeting
def meeting_obstacle_close_view(request, meeting, obstacle_id: int):
    actor = request.producer
    obstacle = obstacle_get(actor=actor, obstacle_id=obstacle_id)
    if obstacle.team_id != meeting.team_id:
        raise Http404("No such obstacle.")
    form = ObstacleCloseForm(request.POST)
    if form.is_valid():
        try:
            obstacle_close(obstacle=obstacle, actor=actor, meeting=meeting,
                           resolution=form.cleaned_data["resolution"])
        except PermissionDenied:
            raise Http404("No such obstacle.") from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            meeting.refresh_from_db()
            return _after_write(request, meeting, f"Path cleared: {obstacle.text}", "win")
    return _render_stage(request, meeting, 400, close_form=form, closing=obstacle.pk)
