"""Reads for the meeting screen, its minutes and a producer's own-turn page.

Every function here runs a fixed number of queries however many producers, celebrations,
prospects or commitments there are (pinned by tests): the screen is polled by TVs. What the
pages make of the rows is in presenters.py; the kiosk's reads are in kiosk.py.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from pipeline.models import Prospect, Stage
from pipeline.xdates import ORDER as XDATE_ORDER
from pipeline.xdates import agency_today, xdate_candidates, xdates_needing_follow_up
from salesculture.models import Agency, Producer
from salesculture.raw import Read
from salesculture.selectors import selling_producers, teams_for
from salesculture.weeks import Week, local_now

from ..models import Celebration, Commitment, KioskLink, Meeting, MeetingTurn, WeeklyScorecard
from . import agenda, presenters
from .agenda import S
from .obstacles import screen as obstacles
from .presenters import MeetingsHome, Screen

STALE_SHOWN = 8
XDATE_SOON_DAYS = 30  # the meeting's list: X-dates in the next 30 days with no next step
XDATES_SHOWN = 2  # the soonest; the rest are counted (the section must fit the TV)
TURN_WINS_SHOWN = 4


# --- who may see what ---------------------------------------------------------------------

def may_run_meeting(actor: Producer, *, agency_id: int, team_id: int | None) -> bool:
    """The one access rule of the meeting and its TV links: an owner of the agency, or a
    leader of this team. Every service checks it itself (a form's choices are no guard), and
    `meeting_teams_for` / `meetings_visible_to` are the same rule as queries."""
    if actor.agency_id != agency_id or not actor.is_leader:
        return False
    return actor.is_owner or (actor.team_id is not None and actor.team_id == team_id)


def meeting_teams_for(actor: Producer):
    """Teams whose meeting the actor may run: an owner any team, a leader their own."""
    teams = teams_for(actor.agency)
    if actor.is_owner:
        return teams
    if actor.is_leader and actor.team_id:
        return teams.filter(pk=actor.team_id)
    return teams.none()


def meetings_visible_to(actor: Producer):
    qs = Meeting.objects.filter(agency=actor.agency).select_related("team", "started_by__user",
                                                                    "agency")
    if actor.is_owner:
        return qs
    if actor.is_leader and actor.team_id:
        return qs.filter(team_id=actor.team_id)
    return qs.none()


def meeting_get(*, actor: Producer, meeting_id) -> Meeting:
    """The meeting if the actor may drive or read it; otherwise 404 (another agency or team)."""
    try:
        return meetings_visible_to(actor).select_related("agency").get(pk=int(meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting.") from None


def minutes_get(*, actor: Producer, meeting_id) -> Meeting:
    """An ended meeting, read-only, for anyone on its team or who may run it; otherwise 404
    (another team, another agency, or a meeting still running)."""
    try:
        meeting = (Meeting.objects.filter(agency=actor.agency, ended_at__isnull=False)
                   .select_related("agency", "team", "started_by__user").get(pk=int(meeting_id)))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such minutes.") from None
    if meeting.team_id != actor.team_id and not may_run_meeting(
            actor, agency_id=meeting.agency_id, team_id=meeting.team_id):
        raise Http404("No such minutes.")
    return meeting


def team_minutes(actor: Producer, *, limit: int = 6) -> list[Meeting]:
    """The latest ended meetings of the actor's own team, newest first."""
    if not actor.team_id:
        return []
    return list(Meeting.objects.filter(agency=actor.agency, team_id=actor.team_id,
                                       ended_at__isnull=False)
                .order_by("-week_start", "-started_at")[:limit])


def meeting_version(*, actor: Producer, meeting_id) -> int | None:
    """The poll's only read: the meeting's version, or None when it is not the actor's."""
    return (meetings_visible_to(actor).filter(pk=meeting_id)
            .values_list("version", flat=True).first())


def turn_get(*, meeting: Meeting, turn_id) -> MeetingTurn:
    try:
        turn = (MeetingTurn.objects.select_related("producer__user", "producer__agency")
                .get(meeting=meeting, pk=int(turn_id)))
    except (MeetingTurn.DoesNotExist, ValueError, TypeError):
        raise Http404("No such turn.") from None
    turn.meeting = meeting
    return turn


def follow_up_prospect_get(*, meeting: Meeting, prospect_id) -> Prospect:
    try:
        return (Prospect.objects.select_related("owner__user", "owner__agency", "stage")
                .get(agency_id=meeting.agency_id, owner__team_id=meeting.team_id,
                     pk=int(prospect_id)))
    except (Prospect.DoesNotExist, ValueError, TypeError):
        raise Http404("No such prospect.") from None


def _running_meetings(team_id: int) -> QuerySet[Meeting]:
    """The team's meetings not ended, the latest started first."""
    return Meeting.objects.filter(team_id=team_id, ended_at__isnull=True).order_by("-started_at")


def running_meeting_for_team(team_id: int | None) -> Meeting | None:
    if not team_id:
        return None
    return _running_meetings(team_id).select_related("team", "agency").first()


def running_meeting_id(team_id: int | None) -> int | None:
    """The pk of the team's running meeting, if one runs: all My week links to (it names the
    producer's own team)."""
    return running_meeting_id_read(team_id).run()


def running_meeting_id_read(team_id: int | None) -> Read[int | None]:
    """`running_meeting_id` as a read to send with others (My week's)."""
    sql = f"""SELECT id FROM {Meeting._meta.db_table} WHERE team_id = %s AND ended_at IS NULL
              ORDER BY started_at DESC LIMIT 1"""
    return Read(sql, [team_id or 0], lambda rows: rows[0][0] if rows else None)


def my_turn_get(*, meeting: Meeting | None, producer: Producer) -> MeetingTurn | None:
    """The producer's turn in the running meeting, if they have one."""
    if meeting is None:
        return None
    return (MeetingTurn.objects.select_related("producer__user", "producer__agency")
            .filter(meeting=meeting, producer=producer).first())


def review_week_choices(agency: Agency) -> list[tuple[str, str]]:
    """The meeting normally reviews the week that just finished; a leader may also review
    this week so far."""
    this_week = Week.current(agency)
    last_week = this_week.previous
    return [
        (last_week.isoformat(), f"Last week (from {last_week.label})"),
        (this_week.isoformat(), f"This week so far (from {this_week.label})"),
    ]


def default_review_week(agency: Agency) -> str:
    """The start form's first choice (see agenda.default_review_week)."""
    return agenda.default_review_week(Week.current(agency).start,
                                      local_now(agency).date()).isoformat()


def commitments_land_late(meeting: Meeting) -> bool:
    """The meeting's commitments are for a week that ends today (held on a Sunday for last
    week): the screens and the start say so."""
    return agenda.week_is_ending(commitment_week(meeting), local_now(meeting.agency).date())


def meeting_reopen_refusal(meeting: Meeting) -> str | None:
    """Why the ended meeting's minutes offer no "Re-open" (see agenda.reopen_refusal)."""
    if not meeting.ended_at:
        return None
    tz = meeting.agency.tz
    return agenda.reopen_refusal(ended_on=meeting.ended_at.astimezone(tz).date(),
                                 today=local_now(meeting.agency).date())


def commitment_week(meeting: Meeting) -> dt.date:
    """The week the commitments made in this meeting are for (see agenda.py)."""
    return agenda.commitment_week_start(meeting.week_start, Week.current(meeting.agency).start)


def meetings_home(actor: Producer, *, minutes_limit: int = 26) -> MeetingsHome:
    meetings = meetings_visible_to(actor)
    kiosks = (KioskLink.objects.filter(agency=actor.agency, revoked_at__isnull=True,
                                       team__in=meeting_teams_for(actor))
              .select_related("team", "created_by__user"))
    return MeetingsHome(
        running=list(meetings.filter(ended_at__isnull=True)),
        minutes=list(meetings.filter(ended_at__isnull=False)
                     .order_by("-week_start", "-started_at")[:minutes_limit]),
        kiosks=list(kiosks),
    )


# --- the screen ---------------------------------------------------------------------------

def meeting_screen(meeting: Meeting, *, now: dt.datetime | None = None) -> Screen:
    """Everything the meeting screen shows for the meeting's current position."""
    now = now or timezone.now()
    turns = list(MeetingTurn.objects.filter(meeting=meeting)
                 .select_related("producer__user").order_by("position"))
    week = commitment_week(meeting)
    committed = dict(
        Commitment.objects.filter(producer_id__in=[t.producer_id for t in turns],
                                  week_start=week)
        .values("producer_id").annotate(n=Count("id")).values_list("producer_id", "n")
        .order_by())
    counts = _team_celebrations(meeting).aggregate(
        all=Count("id"), moves=Count("id", filter=Q(stage_advance__isnull=False)),
        stage_wins=Sum("stage_advance__wins", default=0))
    screen = presenters.screen(meeting, turns=turns, committed=committed, commit_week=week,
                               wins=counts["all"], win_moves=counts["moves"],
                               stage_wins=counts["stage_wins"], now=now)
    screen.commit_week_ending = agenda.week_is_ending(
        week, now.astimezone(meeting.agency.tz).date())
    if meeting.section == S.WINS:
        _fill_wins(screen)
    elif meeting.section == S.TURNS and turns:
        _fill_turn(screen, turns[min(meeting.turn_index, len(turns) - 1)], now)
    elif meeting.section == S.PIPELINE:
        _fill_pipeline(screen, now)
    elif meeting.section in (S.WRAP_UP, S.ENDED):
        _fill_wrap_up(screen)
    obstacles.fill_screen(screen, now)
    return screen


def _team_celebrations(meeting: Meeting):
    return Celebration.objects.filter(agency_id=meeting.agency_id, week_start=meeting.week_start,
                                      producer__team_id=meeting.team_id)


def _reel_order(celebrations):
    """Biggest first: bound, then personal bests, kept weeks and streaks, then advances from the
    furthest stage down; ties in the order they happened."""
    return celebrations.annotate(
        reel_rank=Case(
            When(stage_advance__to_stage__kind=Stage.Kind.WON, then=Value(0)),
            When(kind=Celebration.Kind.ADVANCE, then=Value(2)),
            default=Value(1), output_field=IntegerField()),
        reel_stage=Coalesce(F("stage_advance__to_stage__position"), Value(0)),
    ).order_by("reel_rank", "-reel_stage", "occurred_at", "id")


def _fill_wins(screen: Screen) -> None:
    """The reel's slide on screen: one win, or the wall of them all (two queries)."""
    meeting = screen.meeting
    if agenda.reel_shows_wall(meeting.win_index, screen.wins_count):
        stages = [s for s in Stage.objects.filter(agency_id=meeting.agency_id)
                  .order_by("position") if s.kind != Stage.Kind.LOST]
        counts = list(_team_celebrations(meeting)
                      .values("producer_id", "producer__user__first_name",
                              "producer__user__last_name", "producer__user__username",
                              "stage_advance__to_stage_id")
                      .annotate(n=Count("id")).order_by())
        screen.wall = presenters.reel_wall(stages, counts)
        return
    index = screen.reel_index
    screen.win = (_reel_order(_team_celebrations(meeting))
                  .select_related("producer__user", "stage_advance__prospect",
                                  "stage_advance__to_stage")[index:index + 1].first())


def _producer_commitments(producer_id: int, week: dt.date):
    return (Commitment.objects.filter(producer_id=producer_id, week_start=week)
            .select_related("activity_type", "stage", "prospect")
            .order_by("made_at", "id"))


def _scorecard(producer_id: int, week: dt.date) -> WeeklyScorecard | None:
    return WeeklyScorecard.objects.filter(producer_id=producer_id, week_start=week).first()


def _fill_turn(screen: Screen, turn: MeetingTurn, now: dt.datetime) -> None:
    meeting = screen.meeting
    screen.turn = turn
    screen.turn_elapsed = turn.seconds + (agenda.seconds_between(turn.started_at, now)
                                          if not meeting.ended_at else 0)
    screen.card = _scorecard(turn.producer_id, meeting.week_start)
    screen.last_week = presenters.commitment_lines(
        _producer_commitments(turn.producer_id, meeting.week_start), screen.card)
    screen.turn_wins = list(  # biggest first, as in the reel
        _reel_order(Celebration.objects.filter(producer_id=turn.producer_id,
                                               week_start=meeting.week_start,
                                               kind=Celebration.Kind.ADVANCE))
        .select_related("stage_advance__prospect", "stage_advance__to_stage")[:TURN_WINS_SHOWN])
    screen.next_week = list(_producer_commitments(turn.producer_id, screen.commit_week))


def _stale_filter(stages: list[Stage], now: dt.datetime) -> Q:
    """Open prospects past their stage's rotting threshold, or with no next step."""
    stale = Q(pk__in=[])
    for s in stages:
        stale |= Q(stage_id=s.pk,
                   stage_entered_at__lt=now - dt.timedelta(days=s.stale_after_days))
    return stale | Q(next_step="")


def _wins_by_stage(producer_ids: list[int], week: dt.date) -> dict[str, int]:
    """The team's wins into each stage that week, from the materialised scorecards."""
    wins: dict[str, int] = defaultdict(int)
    for stage_wins in (WeeklyScorecard.objects
                       .filter(producer_id__in=producer_ids, week_start=week)
                       .values_list("wins_by_stage", flat=True)):
        for stage_id, n in (stage_wins or {}).items():
            wins[stage_id] += n
    return wins


def _fill_pipeline(screen: Screen, now: dt.datetime) -> None:
    meeting = screen.meeting
    producer_ids = [t.producer_id for t in screen.turns]
    stages = list(Stage.objects.filter(agency_id=meeting.agency_id).order_by("position"))
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    team_open = Prospect.objects.filter(agency_id=meeting.agency_id, owner_id__in=producer_ids,
                                        stage__kind=Stage.Kind.OPEN)
    by_stage = {row["stage_id"]: row for row in team_open.values("stage_id")
                .annotate(n=Count("id"), value=Sum("estimated_revenue")).order_by()}
    screen.funnel = presenters.funnel(stages, by_stage,
                                      _wins_by_stage(producer_ids, meeting.week_start))
    screen.coverage = presenters.coverage(by_stage, screen.turns)
    flagged = team_open.filter(_stale_filter(open_stages, now))
    screen.stale_total = flagged.count()
    rows = list(flagged.select_related("owner__user", "stage")
                .order_by("stage_entered_at", "id")[:STALE_SHOWN])
    today = agency_today(meeting.agency, now)
    # Renewals in the next 30 days that nobody has acted on (pipeline/xdates.py).
    xdates = xdates_needing_follow_up(
        team_open.filter(xdate_candidates(today, within_days=XDATE_SOON_DAYS))
        .select_related("owner__user", "stage").order_by(*XDATE_ORDER), today)
    screen.xdates_total, screen.xdates = len(xdates), xdates[:XDATES_SHOWN]
    followed = set(Commitment.objects.filter(
        week_start=screen.commit_week, kind=Commitment.Kind.SPECIFIC,
        prospect_id__in=[p.pk for p in rows + screen.xdates])
        .values_list("prospect_id", flat=True))
    for p in screen.xdates:
        p.followed_up = p.pk in followed
    screen.stale = presenters.mark_stale(rows, today=today, tz=meeting.agency.tz,
                                         followed=followed)


def _fill_wrap_up(screen: Screen) -> None:
    meeting = screen.meeting
    screen.made = list(Commitment.objects.filter(meeting=meeting)
                       .select_related("producer__user", "activity_type", "stage")
                       .order_by("producer__user__first_name", "producer_id", "id"))
    screen.none_yet = [t for t in screen.turns if not t.committed]


def minutes_groups(screen: Screen) -> list[dict]:
    """Each turn with everything it owes for the commitment week (one query): the ones made in
    the meeting are marked, so the minutes show who left with what."""
    meeting = screen.meeting
    by_producer = defaultdict(list)
    for c in (Commitment.objects
              .filter(producer_id__in=[t.producer_id for t in screen.turns],
                      week_start=screen.commit_week)
              .select_related("activity_type", "stage", "prospect").order_by("made_at", "id")):
        c.in_meeting = c.meeting_id == meeting.pk
        by_producer[c.producer_id].append(c)
    return [{"turn": t, "commitments": by_producer.get(t.producer_id, [])}
            for t in screen.turns]


def late_turn_candidates(meeting: Meeting, turns: list) -> list[Producer]:
    """Selling producers of the team who have no turn yet (joined after the meeting started)."""
    return list(selling_producers(meeting.agency, team=meeting.team)
                .exclude(pk__in=[t.producer_id for t in turns]))


# --- a producer's own turn, on their phone --------------------------------------------------

def my_turn_view(meeting: Meeting, turn: MeetingTurn) -> dict:
    """A producer's own turn page: last week's results, next week's commitments and whose
    turn is on the screen now."""
    week = commitment_week(meeting)
    card = _scorecard(turn.producer_id, meeting.week_start)
    on_screen = None
    if meeting.section == S.TURNS:
        on_screen = (MeetingTurn.objects.filter(meeting=meeting, position=meeting.turn_index)
                     .select_related("producer__user").first())
    return presenters.my_turn(
        meeting, turn, commit_week=week, card=card,
        last_week=list(_producer_commitments(turn.producer_id, meeting.week_start)),
        next_week=list(_producer_commitments(turn.producer_id, week)), on_screen=on_screen)
