"""Writes for clearing the path: raise an obstacle, close it with a resolution.

Each checks access itself (the views' 404s and the forms' choices are not relied on) and bumps
the version of the team's running meeting, so the TV and the kiosk show the change.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from salesculture.audit import audit_record
from salesculture.models import AuditEvent, Producer, Team
from salesculture.weeks import local_now

from ...models import Meeting
from .models import Obstacle
from .selectors import may_close, obstacle_owners, obstacle_teams_for, running_meeting_of

NOT_YOUR_TEAM = "Obstacles are raised in your own team."


def _bump(meeting: Meeting | None) -> None:
    if meeting is not None:
        Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)


def _label(obstacle: Obstacle) -> str:
    """How the audit trail names an obstacle: what is in the way, cut to a line."""
    text = " ".join(obstacle.text.split())
    return text if len(text) <= 80 else text[:79] + "…"


def obstacle_raise(*, team: Team, actor: Producer, text: str, owner: Producer,
                   due_date: dt.date, raised_by: Producer | None = None,
                   meeting: Meeting | None = None, client_token: str | None = None) -> Obstacle:
    """A new obstacle on the team's path, owned by `owner` until they close it. Raised in the
    team's running meeting (when there is one) it is listed in that meeting's wrap-up."""
    if not obstacle_teams_for(actor).filter(pk=team.pk).exists():
        raise PermissionDenied(NOT_YOUR_TEAM)
    raised_by = raised_by or actor
    if client_token and (first := Obstacle.objects.filter(
            team=team, client_token=client_token).first()) is not None:
        return first
    errors = {}
    if not text.strip():
        errors["text"] = "Say what is in the way."
    if not obstacle_owners(team).filter(pk=owner.pk).exists():
        errors["owner"] = "Choose someone of this team (or an owner) to clear it."
    if raised_by.team_id != team.pk and raised_by.pk != actor.pk:
        errors["text"] = "An obstacle is raised for someone of this team."
    if due_date < local_now(team.agency).date():
        errors["due_date"] = "The due date is in the past; choose today or later."
    if errors:
        raise ValidationError(errors)
    meeting = meeting or running_meeting_of(team)
    obstacle = Obstacle(agency_id=team.agency_id, team=team, text=text.strip(), owner=owner,
                        raised_by=raised_by, due_date=due_date, raised_at=timezone.now(),
                        raised_in=meeting, client_token=client_token or None)
    try:
        with transaction.atomic():
            obstacle.save()
            audit_record(agency=team.agency_id, actor=actor, kind=AuditEvent.Kind.OBSTACLE_RAISED,
                         subject=obstacle, label=_label(obstacle),
                         changes={"owner": owner.name, "due_date": due_date})
            _bump(meeting)
    except IntegrityError:
        # The same form sent twice at once: the first one raised it.
        return Obstacle.objects.get(team=team, client_token=client_token)
    return obstacle


def obstacle_close(*, obstacle: Obstacle, actor: Producer, resolution: str,
                   meeting: Meeting | None = None) -> Obstacle:
    """Close the obstacle with what cleared it. Closing a closed one changes nothing."""
    if not may_close(actor, obstacle):
        raise PermissionDenied("Only its owner, or whoever runs the team's meeting, closes it.")
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": "Say how it was cleared."})
    with transaction.atomic():
        locked = Obstacle.objects.select_for_update().get(pk=obstacle.pk)
        if locked.closed_at is not None:
            return locked
        meeting = meeting or running_meeting_of(obstacle.team)
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.resolution = resolution
        locked.cleared_in = meeting
        locked.save(update_fields=["closed_at", "closed_by", "resolution", "cleared_in"])
        audit_record(agency=locked.agency_id, actor=actor, kind=AuditEvent.Kind.OBSTACLE_CLEARED,
                     subject=locked, label=_label(locked), changes={"resolution": resolution})
        _bump(meeting)
    return locked
