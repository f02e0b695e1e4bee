"""A producer's own turn, on their phone: last week's results and next week's commitments,
with a form that works while their turn is on the meeting screen; and their team's minutes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import not_modified, toast

from .forms import MeetingCommitmentForm
from .selectors import (
    may_run_meeting,
    meeting_screen,
    minutes_get,
    minutes_groups,
    my_turn_get,
    my_turn_view,
    running_meeting_for_team,
    team_minutes,
)
from .services import can_commit_for, meeting_commitment_add

TEMPLATE = "accountability/meetings/my_turn.html"
MINUTES = "accountability/meetings/minutes.html"


@producer_required
def my_turn(request):
    """The producer's small page: their last-week results and next-week commitments, with a
    form that works while their turn is on the screen. Polls itself with `?v=`."""
    meeting = running_meeting_for_team(request.producer.team_id)
    turn = my_turn_get(meeting=meeting, producer=request.producer)
    if request.method == "POST":
        return _my_turn_commit(request, meeting, turn)
    if (request.method == "GET" and request.htmx
            and request.GET.get("v") == str(_poll_key(meeting))):
        return not_modified()
    return _render_my_turn(request, meeting, turn)


def _poll_key(meeting):
    return meeting.version if meeting else "none"


def _my_turn_commit(request, meeting, turn):
    actor = request.producer
    if not meeting or not turn:
        messages.warning(request, "Your team's meeting is not running.")
        return redirect("accountability:meeting_my_turn")
    form = MeetingCommitmentForm(request.POST, agency=actor.agency)
    if form.is_valid():
        try:
            commitment = meeting_commitment_add(meeting=meeting, turn=turn, actor=actor,
                                                **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            meeting.refresh_from_db()
            text = f"Committed: {commitment.describe()}"
            if not request.htmx:
                messages.success(request, text)
                return redirect("accountability:meeting_my_turn")
            return toast(_render_my_turn(request, meeting, turn), text, "win")
    return _render_my_turn(request, meeting, turn, form, status=400)


def _render_my_turn(request, meeting, turn, form=None, *, status=200):
    actor = request.producer
    context = {"meeting": meeting, "turn": turn, "refusal": None, "screen": None,
               "poll_key": _poll_key(meeting),
               "form": form or MeetingCommitmentForm(agency=actor.agency)}
    if meeting and turn:
        context.update(my_turn_view(meeting, turn))
        context["refusal"] = can_commit_for(meeting=meeting, actor=actor, producer=actor)
    if request.htmx:
        return render(request, f"{TEMPLATE}#turn", context, status=status)
    context["minutes"] = team_minutes(actor)
    return render(request, TEMPLATE, context, status=status)


@require_GET
@producer_required
def meeting_minutes(request, meeting_id: int):
    """An ended meeting's minutes, read-only, for everyone on its team: who committed to what,
    the turn notes and the meeting's notes. Whoever may run the meeting is sent to its own
    page, where the minutes can also be re-opened."""
    actor = request.producer
    meeting = minutes_get(actor=actor, meeting_id=meeting_id)
    if may_run_meeting(actor, agency_id=meeting.agency_id, team_id=meeting.team_id):
        return redirect("accountability:meeting", meeting_id=meeting.pk)
    screen = meeting_screen(meeting)
    return render(request, MINUTES, {"meeting": meeting, "screen": screen,
                                     "groups": minutes_groups(screen), "can_reopen": False})
