"""Reads for clearing the path: who may see a team's obstacles, the meeting's section, its
wrap-up and the team's list page. Each runs a fixed number of queries however many
obstacles there are (pinned by tests), and takes the actor or the meeting so that the agency
and the team are never forgotten.

Access: a team's obstacles are its members' (a producer sees their own team's) and its
drivers' (an owner any team of the agency, a leader their own team). Anyone else gets a 404.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from salesculture.models import Producer, Team
from salesculture.selectors import leaders_first, teams_for
from salesculture.weeks import local_now

from ...models import Meeting
from ..selectors import may_run_meeting, running_meeting_for_team
from . import presenters
from .models import Obstacle

CLOSED_LISTED = 50
_PEOPLE = ("owner__user", "raised_by__user", "closed_by__user")


def obstacle_teams_for(actor: Producer) -> QuerySet[Team]:
    """Teams whose obstacles the actor sees: an owner every team, anyone else their own."""
    teams = teams_for(actor.agency)
    if actor.is_owner:
        return teams
    return teams.filter(pk=actor.team_id) if actor.team_id else teams.none()


def obstacle_team_get(*, actor: Producer, team_id=None) -> Team:
    """The team named by `team_id` (the actor's own when empty), or 404 when it is not theirs."""
    teams = obstacle_teams_for(actor)
    try:
        return teams.get(pk=int(team_id or actor.team_id or 0))
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404("No such team.") from None


def obstacles_visible_to(actor: Producer) -> QuerySet[Obstacle]:
    qs = Obstacle.objects.filter(agency=actor.agency).select_related("team", "agency", *_PEOPLE)
    if actor.is_owner:
        return qs
    return qs.filter(team_id=actor.team_id) if actor.team_id else qs.none()


def obstacle_get(*, actor: Producer, obstacle_id) -> Obstacle:
    try:
        return obstacles_visible_to(actor).get(pk=int(obstacle_id))
    except (Obstacle.DoesNotExist, ValueError, TypeError):
        raise Http404("No such obstacle.") from None


def may_close(actor: Producer, obstacle: Obstacle) -> bool:
    """Its owner closes it; so may whoever runs the team's meeting (on the owner's word, from
    the meeting's laptop)."""
    if actor.agency_id != obstacle.agency_id:
        return False
    return obstacle.owner_id == actor.pk or may_run_meeting(
        actor, agency_id=obstacle.agency_id, team_id=obstacle.team_id)


def obstacle_owners(team: Team) -> QuerySet[Producer]:
    """Who can own an obstacle of the team: its active people and the agency's owners,
    leaders first (they usually clear the path)."""
    return (Producer.objects.filter(agency_id=team.agency_id, is_active=True)
            .filter(Q(team_id=team.pk) | Q(role=Producer.Role.OWNER))
            .select_related("user")
            .order_by(leaders_first(), "user__first_name", "user__last_name", "pk"))


def meeting_obstacles(meeting: Meeting, *, now: dt.datetime | None = None) -> list[Obstacle]:
    """The "Clear the path" section: the team's obstacles open at any time during the meeting
    (so one cleared in it stays on screen, ticked), oldest first. A meeting's minutes show the
    obstacles as they stood when it ended."""
    end = meeting.ended_at or now or timezone.now()
    rows = (Obstacle.objects.filter(agency_id=meeting.agency_id, team_id=meeting.team_id,
                                    raised_at__lte=end)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=meeting.started_at)
                    | Q(cleared_in=meeting))
            .select_related(*_PEOPLE).order_by("raised_at", "id"))
    return presenters.decorate(list(rows), today=local_now(meeting.agency).date(),
                               tz=meeting.agency.tz, meeting=meeting)


def meeting_obstacle_changes(meeting: Meeting) -> presenters.Changes:
    """The wrap-up's "raised" and "cleared" lists (one query)."""
    rows = list(Obstacle.objects.filter(agency_id=meeting.agency_id, team_id=meeting.team_id)
                .filter(Q(raised_in=meeting) | Q(cleared_in=meeting))
                .select_related(*_PEOPLE).order_by("raised_at", "id"))
    return presenters.changes(rows, meeting)


def team_obstacles(actor: Producer, team: Team, *, closed_limit: int = CLOSED_LISTED) -> dict:
    """The list page: open obstacles oldest first, then the latest closed ones. `team` comes
    from `obstacle_team_get` (the actor's to see)."""
    qs = Obstacle.objects.filter(agency_id=actor.agency_id, team=team).select_related(*_PEOPLE)
    open_ = list(qs.filter(closed_at__isnull=True).order_by("raised_at", "id"))
    closed = list(qs.filter(closed_at__isnull=False).order_by("-closed_at", "-id")[:closed_limit])
    when = {"today": local_now(actor.agency).date(), "tz": actor.agency.tz}
    return {"open": presenters.decorate(open_, **when),
            "closed": presenters.decorate(closed, **when), "closed_limit": closed_limit}


def running_meeting_of(team: Team) -> Meeting | None:
    return running_meeting_for_team(team.pk)
