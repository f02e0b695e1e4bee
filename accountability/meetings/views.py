"""The weekly meeting: home (start, resume, minutes, kiosk links), the TV screen the leader
drives and the poll that keeps other screens in step. A producer's own-turn phone page is in
my_turn_views.py, the wall TV's kiosk in kiosk_views.py."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from salesculture.access import leader_required, producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import client_redirect, not_modified, toast

from .agenda import DIRECTIONS, S
from .forms import (
    KioskLinkForm,
    LateTurnForm,
    MeetingCommitmentForm,
    MeetingNotesForm,
    MeetingRatingForm,
    MeetingStartForm,
    TurnNoteForm,
)
from .kiosk import kiosk_link_create, kiosk_link_get, kiosk_link_revoke
from .selectors import (
    commitments_land_late,
    follow_up_prospect_get,
    late_turn_candidates,
    meeting_get,
    meeting_reopen_refusal,
    meeting_screen,
    meeting_version,
    meetings_home,
    minutes_groups,
    turn_get,
)
from .services import (
    MeetingMoved,
    meeting_commitment_add,
    meeting_end,
    meeting_follow_up,
    meeting_move,
    meeting_notes_save,
    meeting_rate,
    meeting_reopen,
    meeting_start,
    meeting_turn_add,
    turn_note_save,
)

POLL_SECONDS = 2
TEMPLATES = "accountability/meetings/"
RUN_TEMPLATE = TEMPLATES + "run.html"
ENDED = "This meeting has ended; here are its minutes."
LATE_WEEK = ("This meeting reviews last week on the week's last day: the commitments made in it "
             "are for this week, which ends today. To commit for next week, review this week.")


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
    return render(request, TEMPLATES + "home.html", {
        "home": meetings_home(request.producer), "start_form": start_form,
        "kiosk_form": kiosk_form, "new_kiosk": request.session.pop("new_kiosk_id", None),
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
            elif commitments_land_late(meeting):
                messages.warning(request, LATE_WEEK)
            return redirect("accountability:meeting", meeting_id=meeting.pk)
    return _home(request, start_form=form, kiosk_form=KioskLinkForm(actor=actor), status=400)


# --- the screen ---------------------------------------------------------------------------

def _stage_context(request, meeting, *, commitment_form=None, note_form=None,
                   notes_form=None, rating_form=None, late_form=None, readonly=False):
    screen = meeting_screen(meeting)
    if not readonly and screen.section in (S.TURNS, S.WRAP_UP):
        # Only the driver sees the late-turn form, and only where a turn can be taken.
        screen.late_candidates = late_turn_candidates(meeting, screen.turns)
    if screen.turn is not None:
        commitment_form = commitment_form or MeetingCommitmentForm(agency=meeting.agency)
        note_form = note_form or TurnNoteForm(initial={"note": screen.turn.note})
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


def _tv(request) -> bool:
    """The read-only TV view of the driver's own screen (`?view=tv`)."""
    return request.GET.get("view") == "tv"


@leader_required
def meeting_detail(request, meeting_id: int):
    """The running meeting's screen, or its minutes once it has ended."""
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        screen = meeting_screen(meeting)
        return render(request, TEMPLATES + "minutes.html", {
            "meeting": meeting, "screen": screen, "groups": minutes_groups(screen),
            "can_reopen": meeting_reopen_refusal(meeting) is None})
    return render(request, RUN_TEMPLATE, _stage_context(request, meeting, readonly=_tv(request)))


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
        return not_modified()
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    if meeting.ended_at:
        return _to_minutes(meeting)
    context = _stage_context(request, meeting, readonly=_tv(request))
    response = render(request, f"{RUN_TEMPLATE}#stage", context)
    response["Cache-Control"] = "no-store"
    return response


def _after_write(request, meeting, text="", kind="", *, status=200):
    """HTMX: the fresh stage (with an optional toast); without JS: back to the screen, with
    the toast's text as a message."""
    if request.htmx:
        response = _render_stage(request, meeting, status=status)
        return toast(response, text, kind) if text else response
    if text:
        level = messages.WARNING if kind == "warn" else messages.SUCCESS
        messages.add_message(request, level, text)
    return redirect("accountability:meeting", meeting_id=meeting.pk)


def _to_minutes(meeting) -> HttpResponse:
    """For HTMX: leave the running screen for the meeting's page (now its minutes)."""
    return client_redirect(reverse("accountability:meeting", args=[meeting.pk]))


def _ended(request, meeting, text=ENDED, level=messages.INFO):
    if request.htmx:
        return _to_minutes(meeting)
    messages.add_message(request, level, text)
    return redirect("accountability:meeting", meeting_id=meeting.pk)


def running_meeting(view):
    """For the driver's writes: load the meeting (404 outside the actor's agency or team) and
    hand it to the view; once the meeting has ended, every write goes to its minutes instead
    and changes nothing. Goes under `leader_required`, which sets `request.producer`."""

    @wraps(view)
    def wrapped(request, meeting_id, **kwargs):
        meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
        if meeting.ended_at:
            return _ended(request, meeting)
        return view(request, meeting, **kwargs)

    return wrapped


@require_POST
@leader_required
@running_meeting
def meeting_move_view(request, meeting):
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        return HttpResponseBadRequest("direction must be next, prev or next_section.")
    try:
        meeting = meeting_move(meeting=meeting, actor=request.producer, direction=direction,
                               seen=request.POST.get("at", ""))
    except ValidationError:  # it ended a moment ago
        return _ended(request, meeting)
    except MeetingMoved:
        meeting.refresh_from_db()
        return _after_write(request, meeting,
                            "Someone else moved the meeting; this is where it is now.", "warn",
                            status=409)
    return _after_write(request, meeting)


@require_POST
@leader_required
def meeting_end_view(request, meeting_id: int):
    # Not `running_meeting`: ending an ended meeting is no mistake, it changes nothing.
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    meeting_end(meeting=meeting, actor=request.producer)
    return _ended(request, meeting, "Meeting ended. The minutes are saved.", messages.SUCCESS)


@require_POST
@leader_required
def meeting_reopen_view(request, meeting_id: int):
    """Undo "End meeting" the same day; later, the minutes say why not."""
    meeting = meeting_get(actor=request.producer, meeting_id=meeting_id)
    try:
        meeting_reopen(meeting=meeting, actor=request.producer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Meeting re-opened at the wrap-up. End it again when done.")
    return redirect("accountability:meeting", meeting_id=meeting.pk)


@require_POST
@leader_required
@running_meeting
def meeting_rate_view(request, meeting):
    form = MeetingRatingForm(request.POST)
    if not form.is_valid():
        return _render_stage(request, meeting, rating_form=form, status=400)
    try:
        meeting = meeting_rate(meeting=meeting, actor=request.producer,
                               rating=form.cleaned_data["rating"])
    except ValidationError:  # it ended a moment ago
        return _ended(request, meeting)
    return _after_write(request, meeting, f"Meeting rated {meeting.rating}/10.")


@require_POST
@leader_required
@running_meeting
def meeting_notes_view(request, meeting):
    form = MeetingNotesForm(request.POST)
    if not form.is_valid():
        return _render_stage(request, meeting, notes_form=form, status=400)
    try:
        meeting = meeting_notes_save(meeting=meeting, actor=request.producer,
                                     notes=form.cleaned_data["notes"])
    except ValidationError:  # it ended a moment ago
        return _ended(request, meeting)
    return _after_write(request, meeting, "Notes saved.")


@require_POST
@leader_required
@running_meeting
def turn_note_view(request, meeting, turn_id: int):
    turn = turn_get(meeting=meeting, turn_id=turn_id)
    form = TurnNoteForm(request.POST)
    if not form.is_valid():
        return _render_stage(request, meeting, note_form=form, status=400)
    try:
        turn_note_save(turn=turn, actor=request.producer, note=form.cleaned_data["note"])
    except ValidationError:  # it ended a moment ago
        return _ended(request, meeting)
    meeting.refresh_from_db()
    return _after_write(request, meeting, f"Note saved for {turn.producer.name}.")


@require_POST
@leader_required
@running_meeting
def turn_add_view(request, meeting):
    """A late turn for someone who joined the team (or the room) after the meeting started."""
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
@running_meeting
def turn_commitment_view(request, meeting, turn_id: int):
    """The leader adds a next-week commitment for the producer whose turn it is."""
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
@running_meeting
def follow_up_view(request, meeting):
    prospect = follow_up_prospect_get(meeting=meeting, prospect_id=request.POST.get("prospect"))
    try:
        commitment = meeting_follow_up(meeting=meeting, actor=request.producer,
                                       prospect=prospect)
    except ValidationError as error:
        meeting.refresh_from_db()
        return _after_write(request, meeting, " ".join(error.messages), "warn")
    meeting.refresh_from_db()
    return _after_write(request, meeting,
                        f"Follow-up committed for {prospect.owner.name}: {commitment.text}",
                        "win")


# --- kiosk links ----------------------------------------------------------------------------

@require_POST
@leader_required
def kiosk_create_view(request):
    actor = request.producer
    form = KioskLinkForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            link = kiosk_link_create(
                team=form.cleaned_data["team"], actor=actor, label=form.cleaned_data["label"],
                show_prospect_names=form.cleaned_data["show_prospect_names"])
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
    link = kiosk_link_get(actor=request.producer, link_id=link_id)
    if link is None:
        return HttpResponse("No such TV link.", status=404)
    kiosk_link_revoke(link=link, actor=request.producer)
    messages.success(request, f"TV link “{link.label}” revoked; it no longer opens.")
    return redirect(reverse("accountability:meetings") + "#kiosks")
