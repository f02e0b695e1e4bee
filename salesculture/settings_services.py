"""The owners' settings of the agency itself and of its teams. Every change is recorded in the
audit trail in the transaction that makes it.

A person's history is theirs, not their team's: the ledgers are by producer, so moving someone
to another team moves only `Producer.team`, and every past week follows them. The boards of the
teams concerned (and the whole agency's) get a new live version, so open pages redraw with
the new line-up instead of serving the board rendered before the move.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .audit import audit_record, changed_fields
from .closed_days import closed_dates_parse, closed_weekdays_label
from .models import Agency, AuditEvent, Producer, Team, validate_time_zone
from .services import producer_set_role

AGENCY_FIELDS = ("name", "time_zone", "working_weeks_per_year", "meeting_weekday",
                 "meeting_minutes", "closed_weekdays", "closed_dates")


def _agency_snapshot(agency: Agency) -> dict:
    """The settings as the history page shows them: the meeting day by its name."""
    values = {field: getattr(agency, field) for field in AGENCY_FIELDS}
    values["meeting_weekday"] = agency.get_meeting_weekday_display()
    values["closed_weekdays"] = closed_weekdays_label(agency.closed_weekdays)
    values["closed_dates"] = ", ".join(agency.closed_dates or []) or "none"
    return values


@transaction.atomic
def agency_update(*, agency: Agency, actor: Producer | None, name: str, time_zone: str,
                  working_weeks_per_year: int, meeting_weekday: int,
                  meeting_minutes: int, closed_weekdays: list[int] | None = None,
                  closed_dates: list[str] | None = None) -> Agency:
    """The closed days are left as they are when not given."""
    before = _agency_snapshot(agency)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the agency a name."})
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from None
    agency.name, agency.time_zone = name, time_zone
    agency.working_weeks_per_year = working_weeks_per_year
    agency.meeting_weekday, agency.meeting_minutes = meeting_weekday, meeting_minutes
    if closed_weekdays is not None:
        if any(day not in range(7) for day in closed_weekdays):
            raise ValidationError({"closed_weekdays": "Choose days of the week from the list."})
        agency.closed_weekdays = sorted(set(closed_weekdays))
    if closed_dates is not None:
        try:
            agency.closed_dates = closed_dates_parse("\n".join(closed_dates))
        except ValidationError as error:
            raise ValidationError({"closed_dates": error.messages}) from None
    agency.full_clean()
    agency.save(update_fields=list(AGENCY_FIELDS))
    changes = changed_fields(before, _agency_snapshot(agency))
    if changes:
        audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.AGENCY_CHANGED,
                     subject=agency, changes=changes)
    return agency


def _team_name(*, agency: Agency, name: str, exclude_pk=None) -> str:
    """The name, tidied and checked against the agency's other teams. Called under the agency's
    row lock, so two owners naming two teams alike take turns and the second is told why."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    name = " ".join((name or "").split())
    limit = Team._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if len(name) > limit:
        raise ValidationError({"name": f"Keep the name to {limit} characters."})
    if Team.objects.filter(agency=agency, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": f"Your agency already has a team called “{name}”."})
    return name


@transaction.atomic
def team_add(*, agency: Agency, actor: Producer | None, name: str) -> Team:
    team = Team.objects.create(agency=agency, name=_team_name(agency=agency, name=name))
    audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.TEAM_ADDED, subject=team,
                 changes={"name": [None, team.name]})
    return team


@transaction.atomic
def team_rename(*, team: Team, actor: Producer | None, name: str) -> Team:
    before = team.name
    team.name = _team_name(agency=team.agency, name=name, exclude_pk=team.pk)
    if team.name != before:
        team.save(update_fields=["name"])
        audit_record(agency=team.agency_id, actor=actor, kind=AuditEvent.Kind.TEAM_RENAMED,
                     subject=team, changes={"name": [before, team.name]})
        _boards_redraw(team.agency_id, [team.pk])
    return team


@transaction.atomic
def producer_move_team(*, producer: Producer, team: Team | None,
                       actor: Producer | None) -> Producer:
    """Put someone on another team (None: on no team). Their history goes with them."""
    if team is not None and team.agency_id != producer.agency_id:
        raise ValidationError({"team": "Choose one of your agency's teams."})
    before = producer.team
    if (before.pk if before else None) == (team.pk if team else None):
        return producer
    producer.team = team
    producer.save(update_fields=["team"])
    audit_record(agency=producer.agency_id, actor=actor, subject=producer, label=producer.name,
                 kind=AuditEvent.Kind.PRODUCER_TEAM_CHANGED,
                 changes={"team": [before.name if before else None,
                                   team.name if team else None]})
    _boards_redraw(producer.agency_id, [t.pk for t in (before, team) if t is not None])
    return producer


@transaction.atomic
def team_leader_set(*, producer: Producer, leader: bool, actor: Producer | None) -> Producer:
    """Make a producer a leader of their team, or a leader a producer again. Owners and
    non-producers are not changed here: their role is set with the person."""
    if producer.role not in (Producer.Role.PRODUCER, Producer.Role.LEADER):
        raise ValidationError(f"{producer.name} is {producer.get_role_display().lower()}; "
                              "change their role with the person instead.")
    if leader and producer.team_id is None:
        raise ValidationError(f"Put {producer.name} on a team first: a leader leads a team.")
    role = Producer.Role.LEADER if leader else Producer.Role.PRODUCER
    if producer.role != role:
        producer_set_role(producer=producer, role=role, actor=actor)
        # Leaders come first on the board (principle 1): the line-up changed.
        _boards_redraw(producer.agency_id, [producer.team_id] if producer.team_id else [])
    return producer


def _boards_redraw(agency_id: int, team_ids: list[int]) -> None:
    """New live versions for these teams and the agency: a board is rendered once per version,
    so this is what makes an open board show a new line-up (accountability's
    `live_versions_bump` does the same for the scorecard job)."""
    if team_ids:
        Team.objects.filter(pk__in=team_ids).update(live_version=F("live_version") + 1)
    Agency.objects.filter(pk=agency_id).update(live_version=F("live_version") + 1)
