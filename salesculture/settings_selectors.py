"""Reads of the owners' settings pages of the agency and its teams."""

from dataclasses import dataclass, field

from .models import Agency, Producer, Team
from .selectors import leaders_first


@dataclass
class TeamLineup:
    team: Team | None  # None: the people on no team
    members: list[Producer] = field(default_factory=list)


def team_lineups(agency: Agency) -> list[TeamLineup]:
    """Every team with its active people, leaders first, then the people on no team: two
    queries however many teams and people."""
    teams = list(Team.objects.filter(agency=agency).order_by("name"))
    lineups = {team.pk: TeamLineup(team) for team in teams}
    no_team = TeamLineup(None)
    for person in (Producer.objects.filter(agency=agency, is_active=True)
                   .select_related("user")
                   .order_by(leaders_first(), "user__first_name", "user__last_name", "pk")):
        lineups.get(person.team_id, no_team).members.append(person)
    return [*lineups.values(), *([no_team] if no_team.members else [])]
