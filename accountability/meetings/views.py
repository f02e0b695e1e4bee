"""The weekly meeting: home (start, resume, minutes, kiosk links), the TV screen the leader
drives, the poll that keeps other screens in step, and a producer's own-turn phone page."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from salesculture.access import leader_required, producer_required
from salesculture.forms import add_service_errors

from ..models import KioskLink, MeetingTurn
from .forms import (
    KioskLinkForm,
    LateTurnForm,
    MeetingCommitmentForm,
    MeetingNotesForm,
    MeetingRatingForm,
    MeetingStartForm,
    TurnNoteForm,
)
from .kiosk import kiosk_link_create, kiosk_link_revoke
from .selectors import (
    commitment_lines,
    follow_up_prospect_get,
    kiosk_links_for,
    late_turn_candidates,
    meeting_get,
    meeting_screen,
    meeting_version,
    meetings_home,
    minutes_groups,
    my_turn_view,
    running_meeting_for_team,
    turn_get,
)
from .services import (
    MeetingMoved,
    can_commit_for,
    meeting_commitment_add,
    meeting_end,
    meeting_follow_up,
    meeting_move,
    meeting_notes_save,
    meeting_rate,
    meeting_start,
    meeting_turn_add,
    turn_note_save,
)

POLL_SECONDS = 2
RUN_TEMPLATE = "accountability/meetings/run.html"


def _toast(response: HttpResponse, text: str, kind: str = "") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"toast": {"text": text, "kind": kind}})
    return response


def _not_modified() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


# --- home ---------------------------------------------------------------------------------

@producer_required
def meetings(request):
    """Leaders: start or resume the meeting, read minutes, manage TV links. Producers are
    sent to their own turn page."""
    actor = request.producer
    if not actor.is_leader:
        return redirect("accountability:meeting_my_turn")
    return _home(request, start_form=MeetingStartForm(actor=actor),
                 kiosk_form=KioskLinkForm(actor=actor))


def _home(request, *, start_form, kiosk_form, status=200):
    home = meetings_home(request.producer)
    return render(request, "accountability/meetings/home.html", {
        "home": home, "start_form": start_form, "kiosk_form": kiosk_form,
        "new_kiosk": request.session.pop("new_kiosk_id", None),
    }, status=status)


@require_POST
@leader_required
def meeting_start_view(request):
    actor = request.producer
    form = MeetingStartForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            meeting = meeting_start(team=form.cleaned_data["team"],
                                    week_start=form.cleaned_data["week"], actor=actor)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if meeting.ended_at:
                # One meeting per team and week: say so rather than open the minutes silently.
                messages.info(request, f"{meeting.team.name}'s meeting for the week of "
                              f"{meeting.week_start:%b} {meeting.week_start.day} was already "
                              "held; here are its minutes.")
            return redirect("accountability:meeting", meeting_id=meeting.pk)
    return _home(request, start_form=form, kiosk_form=KioskLinkForm(actor=actor), status=400)


# --- the screen ---------------------------------------------------------------------------

def _stage_context(request, meeting, *, commitment_form=None, note_form=None,
                   notes_form=None, rating_form=None, late_form=None, readonly=False):
    screen = meeting_screen(meeting)
    agency = meeting.agency
    if not readonly and screen.section in ("turns", "wrap_up"):
        # Only the driver sees the late-turn form, and only where a turn can be taken.
        screen.late_candidates = late_turn_candidates(meeting, screen.turns)
    if screen.turn is not None and commitment_form is None:
        commitment_form = MeetingCommitmentForm(agency=agency)
    if screen.turn is not None and note_form is None:
        note_form = TurnNoteForm(initial={"note": screen.turn.note})
    return {
        "screen": screen, "meeting": meeting, "readonly": readonly,
        "commitment_form": commitment_form, "note_form": note_form,
        "notes_form": notes_form or MeetingNotesForm(initial={"notes": meeting.notes}),
        "rating_form": rating_form or MeetingRatingForm(initial={"rating": meeting.rating}),
        "late_form": late_form,
        "poll_url": reverse("accountability:meeting_poll", args=[meeting.pk]),
        "poll_seconds": POLL_SECONDS,
        "my_turn_url": request.build_absolute_uri(reverse("accountability:meeting_my_turn")),
    }


def _render_stage(request, meeting, *, status=200, **forms_):
    context = _stage_context(request, meeting, **forms_)
    template = f"{RUN_TEMPLATE}#stage" if request.htmx else RUN_TEMPLATE
    return render(request, template, context, status=status)


@leader_required
def meeting_detail(request, meeting_id: int):
    """The running meeting's screen, or its minutes once it has ended."""
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        screen = meeting_screen(meeting)
        return render(request, "accountability/meetings/minutes.html", {
            "meeting": meeting, "screen": screen, "groups": minutes_groups(screen)})
    readonly = request.GET.get("view") == "tv"
    context = _stage_context(request, meeting, readonly=readonly)
    return render(request, RUN_TEMPLATE, context)


@require_GET
@leader_required
def meeting_poll(request, meeting_id: int):
    """204 (no swap) while the version the screen shows is current; else the fresh stage."""
    # The id is checked before the parameters, so another agency's meeting is always a 404.
    version = meeting_version(actor=request.producer, meeting_id=meeting_id)
    if version is None:
        return HttpResponse(status=404)
    try:
        seen = int(request.GET.get("v", ""))
    except ValueError:
        return HttpResponseBadRequest("v must be the version number the screen shows.")
    if version == seen:
        return _not_modified()
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _to_minutes(meeting)
    readonly = request.GET.get("view") == "tv"
    context = _stage_context(request, meeting, readonly=readonly)
    response = render(request, f"{RUN_TEMPLATE}#stage", context)
    response["Cache-Control"] = "no-store"
    return response


def _after_write(request, meeting, text="", kind=""):
    """HTMX: the fresh stage (with an optional toast); without JS: back to the screen."""
    if request.htmx:
        response = _render_stage(request, meeting)
        return _toast(response, text, kind) if text else response
    if text:
        messages.success(request, text)
    return redirect("accountability:meeting", meeting_id=meeting.pk)


def _to_minutes(meeting) -> HttpResponse:
    """For HTMX: leave the running screen for the meeting's page (now its minutes)."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("accountability:meeting", args=[meeting.pk])
    return response


def _ended(request, meeting, text="This meeting has ended; here are its minutes.",
           level=messages.INFO):
    if request.htmx:
        return _to_minutes(meeting)
    messages.add_message(request, level, text)
    return redirect("accountability:meeting", meeting_id=meeting.pk)


@require_POST
@leader_required
def meeting_move_view(request, meeting_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    direction = request.POST.get("direction", "")
    if direction not in ("next", "prev", "next_section"):
        return HttpResponseBadRequest("direction must be next, prev or next_section.")
    try:
        meeting = meeting_move(meeting=meeting, actor=request.producer, direction=direction,
                               seen=request.POST.get("at", ""))
    except ValidationError:  # it ended a moment ago
        return _ended(request, meeting)
    except MeetingMoved:
        meeting.refresh_from_db()
        text = "Someone else moved the meeting; this is where it is now."
        if request.htmx:
            return _toast(_render_stage(request, meeting, status=409), text, "warn")
        messages.warning(request, text)
        return redirect("accountability:meeting", meeting_id=meeting.pk)
    return _after_write(request, meeting)


@require_POST
@leader_required
def meeting_end_view(request, meeting_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    meeting_end(meeting=meeting, actor=request.producer)
    return _ended(request, meeting, "Meeting ended. The minutes are saved.", messages.SUCCESS)


@require_POST
@leader_required
def meeting_rate_view(request, meeting_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    form = MeetingRatingForm(request.POST)
    if form.is_valid():
        try:
            meeting = meeting_rate(meeting=meeting, actor=request.producer,
                                   rating=form.cleaned_data["rating"])
        except ValidationError:  # it ended a moment ago
            return _ended(request, meeting)
        return _after_write(request, meeting, f"Meeting rated {meeting.rating}/10.")
    return _render_stage(request, meeting, rating_form=form, status=400)


@require_POST
@leader_required
def meeting_notes_view(request, meeting_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    form = MeetingNotesForm(request.POST)
    if form.is_valid():
        try:
            meeting = meeting_notes_save(meeting=meeting, actor=request.producer,
                                         notes=form.cleaned_data["notes"])
        except ValidationError:  # it ended a moment ago
            return _ended(request, meeting)
        return _after_write(request, meeting, "Notes saved.")
    return _render_stage(request, meeting, notes_form=form, status=400)


@require_POST
@leader_required
def turn_note_view(request, meeting_id: int, turn_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    turn = turn_get(meeting=meeting, turn_id=turn_id)
    form = TurnNoteForm(request.POST)
    if form.is_valid():
        try:
            turn_note_save(turn=turn, actor=request.producer, note=form.cleaned_data["note"])
        except ValidationError:  # it ended a moment ago
            return _ended(request, meeting)
        meeting.refresh_from_db()
        return _after_write(request, meeting, f"Note saved for {turn.producer.name}.")
    return _render_stage(request, meeting, note_form=form, status=400)


@require_POST
@leader_required
def turn_add_view(request, meeting_id: int):
    """A late turn for someone who joined the team (or the room) after the meeting started."""
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    form = LateTurnForm(request.POST, meeting=meeting)
    if form.is_valid():
        producer = form.cleaned_data["producer"]
        try:
            meeting_turn_add(meeting=meeting, actor=request.producer, producer=producer)
        except ValidationError as error:
            meeting.refresh_from_db()
            if meeting.ended_at:
                return _ended(request, meeting)
            add_service_errors(form, error)
        else:
            meeting.refresh_from_db()
            return _after_write(request, meeting,
                                f"{producer.name} has a turn, last in the list.", "win")
    return _render_stage(request, meeting, late_form=form, status=400)


@require_POST
@leader_required
def turn_commitment_view(request, meeting_id: int, turn_id: int):
    """The leader adds a next-week commitment for the producer whose turn it is."""
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    turn = turn_get(meeting=meeting, turn_id=turn_id)
    form = MeetingCommitmentForm(request.POST, agency=meeting.agency)
    if form.is_valid():
        try:
            commitment = meeting_commitment_add(meeting=meeting, turn=turn,
                                                actor=request.producer,
                                                **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            meeting.refresh_from_db()
            return _after_write(request, meeting,
                                f"Committed for {turn.producer.name}: {commitment.describe()}",
                                "win")
    return _render_stage(request, meeting, commitment_form=form, status=400)


@require_POST
@leader_required
def follow_up_view(request, meeting_id: int):
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _ended(request, meeting)
    prospect = follow_up_prospect_get(meeting=meeting, prospect_id=request.POST.get("prospect"))
    try:
        commitment = meeting_follow_up(meeting=meeting, actor=request.producer,
                                       prospect=prospect)
    except ValidationError as error:
        meeting.refresh_from_db()
        text = " ".join(error.messages)
        if request.htmx:
            return _toast(_render_stage(request, meeting), text, "warn")
        messages.warning(request, text)
        return redirect("accountability:meeting", meeting_id=meeting.pk)
    meeting.refresh_from_db()
    return _after_write(request, meeting,
                        f"Follow-up committed for {prospect.owner.name}: {commitment.text}",
                        "win")


# --- a producer's own turn, on their phone --------------------------------------------------

@producer_required
def my_turn(request):
    """The producer's small page: their last-week results and next-week commitments, with a
    form that works while their turn is on the screen. Polls itself with `?v=`."""
    actor = request.producer
    meeting = running_meeting_for_team(actor.team_id)
    turn = (MeetingTurn.objects.select_related("producer__user", "producer__agency")
            .filter(meeting=meeting, producer=actor).first() if meeting else None)
    seen_key = str(meeting.version) if meeting else "none"
    if request.method == "GET" and request.htmx and request.GET.get("v") == seen_key:
        return _not_modified()
    form = None
    if request.method == "POST":
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
                form = None
                response = _render_my_turn(request, meeting, turn, form)
                return _toast(response, text, "win")
        response = _render_my_turn(request, meeting, turn, form)
        response.status_code = 400
        return response
    return _render_my_turn(request, meeting, turn, form)


def _render_my_turn(request, meeting, turn, form):
    actor = request.producer
    context = {"meeting": meeting, "turn": turn, "refusal": None, "screen": None,
               "poll_key": meeting.version if meeting else "none",
               "form": form or MeetingCommitmentForm(agency=actor.agency)}
    if meeting and turn:
        data = my_turn_view(meeting, turn)
        context.update(data)
        context["last_week"] = commitment_lines(data["last_week_commitments"], data["card"])
        context["refusal"] = can_commit_for(meeting=meeting, actor=actor, producer=actor)
    template = "accountability/meetings/my_turn.html"
    return render(request, f"{template}#turn" if request.htmx else template, context)


# --- kiosk links ----------------------------------------------------------------------------

@require_POST
@leader_required
def kiosk_create_view(request):
    actor = request.producer
    form = KioskLinkForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            link = kiosk_link_create(team=form.cleaned_data["team"], actor=actor,
                                     label=form.cleaned_data["label"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session["new_kiosk_id"] = link.pk
            messages.success(request, f"TV link “{link.label}” created. Open it on the TV.")
            return redirect(reverse("accountability:meetings") + "#kiosks")
    return _home(request, start_form=MeetingStartForm(actor=actor), kiosk_form=form,
                 status=400)


@require_POST
@leader_required
def kiosk_revoke_view(request, link_id: int):
    try:
        link = kiosk_links_for(request.producer).get(pk=int(link_id))
    except (KioskLink.DoesNotExist, ValueError):
        return HttpResponse("No such TV link.", status=404)
    kiosk_link_revoke(link=link, actor=request.producer)
    messages.success(request, f"TV link “{link.label}” revoked; it no longer opens.")
    return redirect(reverse("accountability:meetings") + "#kiosks")
