"""Reads of the owners' settings pages of the agency and its teams."""

from dataclasses import dataclass, field

from .models import Agency, Producer, Team
from .selectors import leaders_first, person_name


@dataclass
class TeamLineup:
    team: Team | None  # None: the people on no team
    members: list[Producer] = field(default_factory=list)


@dataclass
class TeamSummary:
    """A team as the teams page lists it: how many people and who leads; its people are on
    its own page (an agency of 500 is fifty a team)."""

    team: Team
    size: int = 0
    leaders: list[str] = field(default_factory=list)


def team_summaries(agency: Agency) -> list[TeamSummary]:
    """Every team with its number of active people and its leaders' names: two queries (bare
    rows, not people) however many people."""
    summaries = {team.pk: TeamSummary(team)
                 for team in Team.objects.filter(agency=agency).order_by("name")}
    for team_id, role, first, last, username in (
            Producer.objects.filter(agency=agency, is_active=True, team__isnull=False)
            .order_by("user__first_name", "user__last_name", "pk")
            .values_list("team_id", "role", "user__first_name", "user__last_name",
                         "user__username")):
        summary = summaries[team_id]
        summary.size += 1
        if role in (Producer.Role.LEADER, Producer.Role.OWNER):  # an owner leads too
            summary.leaders.append(person_name(first, last, username))
    return list(summaries.values())


def team_lineup(agency: Agency, team: Team | None) -> TeamLineup:
    """One team's active people (None: the people on no team), leaders first; one query."""
    return TeamLineup(team, list(
        Producer.objects.filter(agency=agency, is_active=True, team=team).select_related("user")
        .order_by(leaders_first(), "user__first_name", "user__last_name", "pk")))
