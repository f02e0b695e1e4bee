"""The weekly accountability meeting: an agenda state machine that lives in the database.

State is the `Meeting` row (section, turn_index, win_index, timers) plus one `MeetingTurn` per
producer, so a reload, a second screen or a dropped connection resumes where it was.

Concurrency: navigation (`meeting_move`) carries the position the driver saw
(section:turn:win) and runs under a row lock; when the meeting has moved since, it raises
`MeetingMoved` and changes nothing, so two leaders pressing "next" at once advance it once.
Notes, rating and commitments are separate fields (last write wins per field) and never
block navigation. Every change bumps `Meeting.version`, which followers poll. The agenda's
rules (where "next" leads, the time budgets, the reel) are pure, in agenda.py.

Access: every service here checks "an owner, or a leader of this team" itself
(`selectors.may_run_meeting`), before it locks or writes anything; the views' 404s and the
forms' choices are not relied on.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from pipeline.xdates import agency_today, xdate_needs_follow_up
from salesculture.models import Producer, Team
from salesculture.selectors import selling_producers
from salesculture.webhooks import webhook_event_publish
from salesculture.weeks import Week

from ..commitments.services import commitment_create, commitment_follow_up_ensure
from ..models import Celebration, Commitment, Meeting, MeetingTurn
from . import agenda
from .agenda import Position, S, position_key
from .selectors import commitment_week, may_run_meeting

NOTE_MAX = 1000
NOTES_MAX = 4000
NOT_YOURS = "Only an owner, or a leader of this team, runs its meeting."


class MeetingMoved(Exception):
    """The meeting is no longer where the driver saw it (someone else moved it)."""


@transaction.atomic
def meeting_start(*, team: Team, week_start: dt.date, actor: Producer) -> Meeting:
    """Start the team's meeting for the week, or return the one that already exists (resume).

    Turns are fixed at the start: selling producers of the team, owners and leaders first.
    """
    # The form offers only the actor's teams; the service does not rely on it.
    if not may_run_meeting(actor, agency_id=team.agency_id, team_id=team.pk):
        raise ValidationError(NOT_YOURS)
    if week_start.weekday() != 0:
        raise ValidationError({"week": "A meeting reviews a whole week, named by its Monday."})
    if week_start > Week.current(actor.agency).start:
        raise ValidationError({"week": "That week has not started yet; review last week."})
    existing = Meeting.objects.filter(team=team, week_start=week_start).first()
    if existing:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                agency=team.agency, team=team, week_start=week_start, started_by=actor,
                started_at=now, section=S.WINS, section_started_at=now)
    except IntegrityError:
        # Another leader started it a moment ago: join theirs.
        return Meeting.objects.get(team=team, week_start=week_start)
    MeetingTurn.objects.bulk_create(
        MeetingTurn(meeting=meeting, producer=p, position=i)
        for i, p in enumerate(selling_producers(team.agency, team=team)))
    return meeting


def _counts(meeting: Meeting) -> tuple[int, int]:
    """Reel slides and turns, the two lengths navigation steps through."""
    wins = Celebration.objects.filter(agency_id=meeting.agency_id, week_start=meeting.week_start,
                                      producer__team_id=meeting.team_id).count()
    turns = MeetingTurn.objects.filter(meeting=meeting).count()
    return agenda.reel_slides(wins), turns


@transaction.atomic
def meeting_move(*, meeting: Meeting, actor: Producer, direction: str, seen: str) -> Meeting:
    """Move the agenda one step (`next`, `prev`) or to the next section (`next_section`).

    `seen` is the position the driver's screen showed; if the meeting has moved since,
    `MeetingMoved` is raised and nothing changes.
    """
    _check_driver(meeting, actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_running(locked)
    if position_key(locked) != seen:
        raise MeetingMoved()
    slides, turns = _counts(locked)
    here = Position(locked.section, locked.turn_index, locked.win_index)
    try:
        there = agenda.step(here, direction, slides=slides, turns=turns)
    except agenda.UnknownDirection:
        raise ValidationError({"action": "Choose next or previous."}) from None
    if there != here:
        _go_to(locked, there, timezone.now())
    return locked


def _go_to(meeting: Meeting, there: Position, now: dt.datetime) -> None:
    """Move the locked meeting to `there`: the turn timer stops when a turn leaves the screen
    and starts when one comes on it; the section timer likewise."""
    was_in_turn = meeting.section == S.TURNS
    now_in_turn = there.section == S.TURNS
    if was_in_turn and (not now_in_turn or there.turn != meeting.turn_index):
        _stop_turn(meeting, meeting.turn_index, now)
    if now_in_turn and (not was_in_turn or there.turn != meeting.turn_index):
        MeetingTurn.objects.filter(meeting=meeting, position=there.turn).update(started_at=now)
    if there.section != meeting.section:
        _close_section(meeting, now)
        meeting.section = there.section
        meeting.section_started_at = now
    meeting.turn_index, meeting.win_index = there.turn, there.win
    meeting.version += 1
    meeting.save(update_fields=["section", "section_started_at", "section_seconds",
                                "turn_index", "win_index", "version"])


@transaction.atomic
def meeting_turn_add(*, meeting: Meeting, actor: Producer, producer: Producer) -> MeetingTurn:
    """Give someone who joined late (or was left out) a turn, at the end of the turn list.

    The list is fixed when the meeting starts so positions never shift under a running turn;
    a late turn only ever goes last.
    """
    _check_driver(meeting, actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_running(locked)
    if (producer.agency_id != locked.agency_id or producer.team_id != locked.team_id
            or not producer.sells):
        raise ValidationError({"producer": "Choose a producer of this team."})
    if MeetingTurn.objects.filter(meeting=locked, producer=producer).exists():
        raise ValidationError({"producer": f"{producer.name} already has a turn."})
    last = (MeetingTurn.objects.filter(meeting=locked).order_by("-position")
            .values_list("position", flat=True).first())
    turn = MeetingTurn.objects.create(meeting=locked, producer=producer,
                                      position=0 if last is None else last + 1)
    locked.version += 1
    locked.save(update_fields=["version"])
    meeting.version = locked.version
    return turn


def _stop_turn(meeting: Meeting, position: int, now: dt.datetime) -> None:
    turn = MeetingTurn.objects.filter(meeting=meeting, position=position).first()
    if turn and turn.started_at:
        turn.seconds += agenda.seconds_between(turn.started_at, now)
        turn.started_at = None
        turn.save(update_fields=["seconds", "started_at"])


def _close_section(meeting: Meeting, now: dt.datetime) -> None:
    seconds = dict(meeting.section_seconds or {})
    seconds[meeting.section] = seconds.get(meeting.section, 0) + agenda.seconds_between(
        meeting.section_started_at, now)
    meeting.section_seconds = seconds


@transaction.atomic
def meeting_end(*, meeting: Meeting, actor: Producer) -> Meeting:
    """End the meeting: timers stop and it becomes read-only minutes."""
    _check_driver(meeting, actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.ended_at:
        return locked
    now = timezone.now()
    if locked.section == S.TURNS:
        _stop_turn(locked, locked.turn_index, now)
    _close_section(locked, now)
    locked.section = S.ENDED
    locked.section_started_at = now
    locked.ended_at = now
    locked.version += 1
    locked.save(update_fields=["section", "section_started_at", "section_seconds",
                               "ended_at", "version"])
    webhook_event_publish(
        agency_id=locked.agency_id, event="meeting.ended",
        text=f"The {locked.team.name} weekly meeting ended.",
        data={"meeting": locked.pk, "team": {"id": locked.team_id, "name": locked.team.name},
              "week_start": locked.week_start.isoformat(), "ended_at": now.isoformat()})
    return locked


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, actor: Producer,
                   now: dt.datetime | None = None) -> Meeting:
    """Undo "End meeting" on the day it ended (the agency's day): it runs again from the
    wrap-up, and the time it stood ended is not counted. After that day its minutes stand."""
    _check_driver(meeting, actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not locked.ended_at:
        return locked
    now = now or timezone.now()
    tz = meeting.agency.tz
    refusal = agenda.reopen_refusal(ended_on=locked.ended_at.astimezone(tz).date(),
                                    today=now.astimezone(tz).date())
    if refusal:
        raise ValidationError(refusal)
    # The kiosk, the phones and "my week" follow the team's one running meeting.
    if Meeting.objects.filter(team_id=locked.team_id, ended_at__isnull=True).exists():
        raise ValidationError("Another meeting of this team is running; end it first.")
    locked.section = S.WRAP_UP
    locked.section_started_at = now
    locked.ended_at = None
    locked.version += 1
    locked.save(update_fields=["section", "section_started_at", "ended_at", "version"])
    return locked


def _bump(meeting: Meeting, **fields) -> None:
    """Write `fields` (if any) and bump the version in one UPDATE, so followers swap."""
    Meeting.objects.filter(pk=meeting.pk).update(**fields, version=F("version") + 1)


def _check_driver(meeting: Meeting, actor: Producer) -> None:
    """Checked first by every write, before anything is read for update or written."""
    if not may_run_meeting(actor, agency_id=meeting.agency_id, team_id=meeting.team_id):
        raise ValidationError(NOT_YOURS)


def _check_running(meeting: Meeting) -> None:
    if meeting.ended_at:
        raise ValidationError("This meeting has ended; its minutes are kept as they are.")


@transaction.atomic
def meeting_rate(*, meeting: Meeting, actor: Producer, rating) -> Meeting:
    _check_driver(meeting, actor)
    _check_running(meeting)
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 10:
        raise ValidationError({"rating": "Rate the meeting from 1 to 10."})
    _bump(meeting, rating=value)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_notes_save(*, meeting: Meeting, actor: Producer, notes: str) -> Meeting:
    _check_driver(meeting, actor)
    _check_running(meeting)
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise ValidationError({"notes": "Keep the meeting notes under 4,000 characters."})
    _bump(meeting, notes=notes)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def turn_note_save(*, turn: MeetingTurn, actor: Producer, note: str) -> MeetingTurn:
    meeting = turn.meeting
    _check_driver(meeting, actor)
    _check_running(meeting)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    MeetingTurn.objects.filter(pk=turn.pk).update(note=note)
    turn.note = note
    _bump(meeting)
    return turn


def can_commit_for(*, meeting: Meeting, actor: Producer, producer: Producer) -> str | None:
    """Why the actor may not add a commitment for that producer now, or None when allowed.

    Leaders and owners may add for anyone in the meeting while it runs; a producer only for
    themself, and only while it is their turn.
    """
    if meeting.ended_at:
        return "This meeting has ended; add commitments on your commitments page."
    if actor.agency_id != meeting.agency_id:
        return "Not your meeting."
    if may_run_meeting(actor, agency_id=meeting.agency_id, team_id=meeting.team_id):
        return None
    if actor.pk != producer.pk:
        return "You can add only your own commitments."
    rows = dict(MeetingTurn.objects.filter(meeting=meeting)
                .filter(Q(position=meeting.turn_index) | Q(producer=actor))
                .values_list("position", "producer_id"))
    mine = next((position for position, pid in rows.items() if pid == actor.pk), None)
    if meeting.section == S.TURNS and rows.get(meeting.turn_index) == actor.pk:
        return None
    if mine is not None and agenda.turn_has_passed(meeting.section, meeting.turn_index, mine):
        return "Your turn has passed: add more on your commitments page."
    return "Wait for your turn: you can add your commitments while it is on the screen."


@transaction.atomic
def meeting_commitment_add(*, meeting: Meeting, turn: MeetingTurn, actor: Producer,
                           **fields) -> Commitment:
    """A next-week commitment made in the meeting, for the producer whose turn it is."""
    if turn.meeting_id != meeting.pk:
        raise ValidationError("That turn is not in this meeting.")
    refusal = can_commit_for(meeting=meeting, actor=actor, producer=turn.producer)
    if refusal:
        raise ValidationError(refusal)
    commitment = commitment_create(producer=turn.producer, week_start=commitment_week(meeting),
                                   actor=actor, meeting=meeting, **fields)
    _bump(meeting)
    return commitment


@transaction.atomic
def meeting_follow_up(*, meeting: Meeting, actor: Producer, prospect) -> Commitment:
    """Turn a stale prospect (or one with no next step) into a specific commitment for its
    owner, for the meeting's commitment week."""
    _check_driver(meeting, actor)
    _check_running(meeting)
    if prospect.agency_id != meeting.agency_id or prospect.owner.team_id != meeting.team_id:
        raise ValidationError("That prospect is not in this team's pipeline.")
    step = prospect.next_step.strip()
    text = (f"{prospect.name}: {step}" if step
            else f"{prospect.name}: agree the next step and put it on the calendar")
    if xdate_needs_follow_up(prospect, agency_today(meeting.agency)):
        text = (f"{prospect.name}: quote before the X-date ({prospect.x_date:%b %-d}) and "
                "put the next step on the calendar")
    # Checked and made under the producer's lock: six taps at once make one follow-up.
    commitment, made = commitment_follow_up_ensure(
        producer=prospect.owner, week_start=commitment_week(meeting), prospect=prospect,
        text=text[:Commitment._meta.get_field("text").max_length], actor=actor, meeting=meeting)
    if not made:
        raise ValidationError(f"{prospect.name} already has a follow-up commitment.")
    _bump(meeting)
    return commitment
