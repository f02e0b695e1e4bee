"""Reads for the meeting screen, its minutes and the kiosk.

Every function here runs a fixed number of queries however many producers, celebrations,
prospects or commitments there are (pinned by tests): the screen is polled by TVs.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from pipeline.models import Prospect, Stage
from salesculture.models import Agency, Producer, Team
from salesculture.selectors import selling_producers, teams_for
from salesculture.weeks import Week, local_now

from ..models import Celebration, Commitment, KioskLink, Meeting, MeetingTurn, WeeklyScorecard
from ..scorecards.selectors import team_rows
from .services import (
    AGENDA,
    REEL_ALL_MAX,
    REEL_SPOTLIGHT,
    commitment_week,
    position_key,
    reel_slides,
    section_target_seconds,
    turn_target_seconds,
)

S = Meeting.Section
TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
STALE_SHOWN = 8
TURN_WINS_SHOWN = 4


# --- who may see what ---------------------------------------------------------------------

def meeting_teams_for(actor: Producer):
    """Teams whose meeting the actor may run: an owner any team, a leader their own."""
    teams = teams_for(actor.agency)
    if actor.is_owner:
        return teams
    if actor.is_leader and actor.team_id:
        return teams.filter(pk=actor.team_id)
    return teams.none()


def meetings_visible_to(actor: Producer):
    qs = Meeting.objects.filter(agency=actor.agency).select_related("team", "started_by__user")
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


def running_meeting_for_team(team_id: int | None) -> Meeting | None:
    if not team_id:
        return None
    return (Meeting.objects.select_related("team", "agency")
            .filter(team_id=team_id, ended_at__isnull=True).order_by("-started_at").first())


def default_review_week(agency: Agency) -> dt.date:
    """The meeting normally reviews the week that just finished."""
    return Week.current(agency).start - dt.timedelta(days=7)


def review_week_choices(agency: Agency) -> list[tuple[str, str]]:
    this_week = Week.current(agency).start
    last_week = this_week - dt.timedelta(days=7)
    return [
        (last_week.isoformat(), f"Last week (from {last_week:%b} {last_week.day})"),
        (this_week.isoformat(), f"This week so far (from {this_week:%b} {this_week.day})"),
    ]


@dataclass
class MeetingsHome:
    running: list
    minutes: list
    kiosks: list


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

def clock(seconds: int) -> str:
    """Seconds as m:ss for the timers."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{rest:02d}"


@dataclass
class AgendaItem:
    section: str
    label: str
    target: int
    elapsed: int
    running: bool
    done: bool

    @property
    def state(self) -> str:
        return timer_state(self.elapsed, self.target)

    @property
    def elapsed_clock(self) -> str:
        return clock(self.elapsed)

    @property
    def target_clock(self) -> str:
        return clock(self.target)


def timer_state(elapsed: int, target: int) -> str:
    """ok, then amber in the last fifth of the target, red once over it."""
    if target and elapsed > target:
        return "over"
    if target and elapsed >= target * 0.8:
        return "near"
    return "ok"


@dataclass
class CommitmentLine:
    commitment: Commitment
    target: int
    actual: int | None
    state: str  # kept, missed, on_track, behind
    label: str


@dataclass
class Screen:
    meeting: Meeting
    position: str
    turns: list
    agenda: list
    commit_week: dt.date
    wins_count: int  # celebrations in the reel: stage wins plus personal bests, kept weeks...
    total_elapsed: int
    total_target: int
    turn_target: int
    committed: dict = field(default_factory=dict)
    # Section-specific parts; only the current section's are filled.
    win: Celebration | None = None
    wall: dict | None = None  # the reel's last slide when there are too many wins to show
    late_candidates: list = field(default_factory=list)  # team producers without a turn
    turn: MeetingTurn | None = None
    turn_elapsed: int = 0
    last_week: list = field(default_factory=list)
    card: WeeklyScorecard | None = None
    turn_wins: list = field(default_factory=list)
    next_week: list = field(default_factory=list)
    funnel: list = field(default_factory=list)
    coverage: dict = field(default_factory=dict)
    stale: list = field(default_factory=list)
    stale_total: int = 0
    made: list = field(default_factory=list)
    none_yet: list = field(default_factory=list)
    # Stage wins alone, the number the scorecard, the turn and the digest call "wins".
    stage_wins: int = 0

    @property
    def other_celebrations(self) -> int:
        return self.wins_count - self.stage_wins

    @property
    def section(self) -> str:
        return self.meeting.section

    @property
    def reel_slides(self) -> int:
        return reel_slides(self.wins_count)

    @property
    def reel_is_spotlight(self) -> bool:
        """True when the reel shows only the biggest wins one by one, then the wall."""
        return self.wins_count > REEL_ALL_MAX

    @property
    def reel_index(self) -> int:
        return min(self.meeting.win_index, max(self.reel_slides - 1, 0))

    @property
    def reel_last(self) -> bool:
        return self.reel_index + 1 >= self.reel_slides

    @property
    def turn_state(self) -> str:
        return timer_state(self.turn_elapsed, self.turn_target)

    @property
    def total_state(self) -> str:
        return timer_state(self.total_elapsed, self.total_target)

    @property
    def clocks(self) -> dict:
        return {"total": clock(self.total_elapsed), "total_target": clock(self.total_target),
                "turn": clock(self.turn_elapsed), "turn_target": clock(self.turn_target)}

    @property
    def current(self) -> AgendaItem | None:
        return next((item for item in self.agenda if item.running), None)


def _seconds_since(moment: dt.datetime | None, now: dt.datetime) -> int:
    return max(0, int((now - moment).total_seconds())) if moment else 0


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
    for turn in turns:
        turn.committed = committed.get(turn.producer_id, 0)
        turn.clock = clock(turn.seconds)
        turn.is_current = (meeting.section == S.TURNS and turn.position == meeting.turn_index)
    counts = _team_celebrations(meeting).aggregate(
        all=Count("id"), stage_wins=Count("id", filter=Q(stage_advance__isnull=False)))
    wins_count = counts["all"]

    seconds = meeting.section_seconds or {}
    running = meeting.section if not meeting.ended_at else None
    agenda = []
    for section in AGENDA:
        elapsed = seconds.get(section, 0)
        if section == running:
            elapsed += _seconds_since(meeting.section_started_at, now)
        agenda.append(AgendaItem(
            section=section, label=S(section).label,
            target=section_target_seconds(section, len(turns)), elapsed=elapsed,
            running=section == running,
            done=section in seconds and section != running))
    screen = Screen(
        meeting=meeting, position=position_key(meeting), turns=turns, agenda=agenda,
        commit_week=week, wins_count=wins_count, stage_wins=counts["stage_wins"],
        total_elapsed=sum(item.elapsed for item in agenda),
        total_target=sum(item.target for item in agenda),
        turn_target=turn_target_seconds(len(turns)), committed=committed)

    if meeting.section == S.WINS:
        index = screen.reel_index
        if screen.reel_is_spotlight and index >= REEL_SPOTLIGHT:
            screen.wall = _reel_wall(meeting, wins_count)
        else:
            screen.win = (_reel_order(_team_celebrations(meeting))
                          .select_related("producer__user", "stage_advance__prospect",
                                          "stage_advance__to_stage")[index:index + 1].first())
    elif meeting.section == S.TURNS and turns:
        _fill_turn(screen, turns[min(meeting.turn_index, len(turns) - 1)], now)
    elif meeting.section == S.PIPELINE:
        _fill_pipeline(screen, now)
    elif meeting.section in (S.WRAP_UP, S.ENDED):
        _fill_wrap_up(screen)
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


def _reel_wall(meeting: Meeting, total: int) -> dict:
    """Every win of the week on one slide: a producer × stage grid of counts (two queries)."""
    stages = [s for s in Stage.objects.filter(agency_id=meeting.agency_id).order_by("position")
              if s.kind != Stage.Kind.LOST]
    rows: dict[int, dict] = {}
    for r in (_team_celebrations(meeting)
              .values("producer_id", "producer__user__first_name", "producer__user__last_name",
                      "producer__user__username", "stage_advance__to_stage_id")
              .annotate(n=Count("id")).order_by()):
        name = (f"{r['producer__user__first_name']} {r['producer__user__last_name']}".strip()
                or r["producer__user__username"])
        row = rows.setdefault(r["producer_id"], {"name": name, "by_stage": defaultdict(int),
                                                 "other": 0, "total": 0})
        if r["stage_advance__to_stage_id"] is None:
            row["other"] += r["n"]
        else:
            row["by_stage"][r["stage_advance__to_stage_id"]] += r["n"]
            row["total"] += r["n"]  # stage wins only, as on the scorecard and the turn
    shown = [s for s in stages if any(row["by_stage"].get(s.pk) for row in rows.values())]
    ordered = sorted(rows.values(), key=lambda row: (-row["total"], -row["other"], row["name"]))
    for row in ordered:
        row["cells"] = [{"stage": s, "n": row["by_stage"].get(s.pk, 0)} for s in shown]
    return {
        "total": sum(row["total"] for row in ordered),
        "stages": shown,
        "rows": ordered,
        "has_other": any(row["other"] for row in ordered),
        "totals": [sum(row["by_stage"].get(s.pk, 0) for row in ordered) for s in shown],
        "other_total": sum(row["other"] for row in ordered),
    }


def commitment_lines(commitments, card: WeeklyScorecard | None) -> list[CommitmentLine]:
    """Last week's commitments against what happened: judged status when the week is closed,
    otherwise the live actuals the scorecard job materialised."""
    actuals = card.commitment_actuals if card else {}
    lines = []
    for c in commitments:
        target = c.target if c.is_measurable else 1
        actual = c.actual if c.status != Commitment.Status.OPEN else actuals.get(str(c.pk))
        if c.status == Commitment.Status.KEPT:
            state = "kept"
        elif c.status == Commitment.Status.MISSED:
            state = "missed"
        else:
            state = "on_track" if (actual or 0) >= target else "behind"
        if c.is_measurable:
            label = f"{actual if actual is not None else '–'} / {target}"
        else:
            label = "done" if (actual or c.self_reported_done) else "not done"
        lines.append(CommitmentLine(commitment=c, target=target, actual=actual, state=state,
                                    label=label))
    return lines


def _producer_commitments(producer_id: int, week: dt.date):
    return (Commitment.objects.filter(producer_id=producer_id, week_start=week)
            .select_related("activity_type", "stage", "prospect")
            .order_by("made_at", "id"))


def _fill_turn(screen: Screen, turn: MeetingTurn, now: dt.datetime) -> None:
    meeting = screen.meeting
    screen.turn = turn
    screen.turn_elapsed = turn.seconds + (_seconds_since(turn.started_at, now)
                                          if not meeting.ended_at else 0)
    screen.card = (WeeklyScorecard.objects
                   .filter(producer_id=turn.producer_id, week_start=meeting.week_start).first())
    screen.last_week = commitment_lines(
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


def _fill_pipeline(screen: Screen, now: dt.datetime) -> None:
    meeting = screen.meeting
    producer_ids = [t.producer_id for t in screen.turns]
    stages = list(Stage.objects.filter(agency_id=meeting.agency_id).order_by("position"))
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    team_open = Prospect.objects.filter(agency_id=meeting.agency_id, owner_id__in=producer_ids,
                                        stage__kind=Stage.Kind.OPEN)
    by_stage = {row["stage_id"]: row for row in team_open.values("stage_id")
                .annotate(n=Count("id"), value=Sum("estimated_revenue")).order_by()}
    wins_by_stage: dict[str, int] = defaultdict(int)
    for stage_wins in (WeeklyScorecard.objects
                       .filter(producer_id__in=producer_ids, week_start=meeting.week_start)
                       .values_list("wins_by_stage", flat=True)):
        for stage_id, n in (stage_wins or {}).items():
            wins_by_stage[stage_id] += n
    widest = max([by_stage.get(s.pk, {}).get("n", 0) for s in open_stages] + [1])
    screen.funnel = [{
        "stage": s,
        "count": by_stage.get(s.pk, {}).get("n", 0),
        "value": by_stage.get(s.pk, {}).get("value") or Decimal(0),
        "wins": wins_by_stage.get(str(s.pk), 0),
        "width": round(100 * by_stage.get(s.pk, {}).get("n", 0) / widest),
    } for s in stages if s.kind != Stage.Kind.LOST]
    open_value = sum((row["value"] or Decimal(0)) for row in by_stage.values())
    goals = sum((t.producer.annual_goal for t in screen.turns), Decimal(0))
    quarter = goals / 4
    screen.coverage = {
        "open_value": open_value,
        "open_count": sum(row["n"] for row in by_stage.values()),
        "quarter_goal": quarter,
        "ratio": (open_value / quarter) if quarter else None,
        "percent": min(100, round(100 * open_value / quarter)) if quarter else 0,
    }
    flagged = team_open.filter(_stale_filter(open_stages, now))
    screen.stale_total = flagged.count()
    today = local_now(meeting.agency).date()
    rows = list(flagged.select_related("owner__user", "stage")
                .order_by("stage_entered_at", "id")[:STALE_SHOWN])
    followed = set(Commitment.objects.filter(
        week_start=screen.commit_week, kind=Commitment.Kind.SPECIFIC,
        prospect_id__in=[p.pk for p in rows]).values_list("prospect_id", flat=True))
    for p in rows:
        p.days_in_stage = (today - p.stage_entered_at.astimezone(meeting.agency.tz).date()).days
        p.is_stale = p.days_in_stage > p.stage.stale_after_days
        p.no_next_step = not p.next_step
        p.followed_up = p.pk in followed
    screen.stale = rows


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


# --- the kiosk ----------------------------------------------------------------------------

def kiosk_get(token: str) -> KioskLink:
    """The live link with that token, or 404 (unknown, revoked, or malformed)."""
    # Tokens are `secrets.token_urlsafe` text: anything else (a NUL byte, which PostgreSQL
    # refuses with an error) is not looked up at all.
    if not token or len(token) > 64 or not TOKEN_CHARACTERS.fullmatch(token):
        raise Http404("No such screen.")
    link = (KioskLink.objects.select_related("team", "agency")
            .filter(token=token, revoked_at__isnull=True).first())
    if link is None or link.team.agency_id != link.agency_id:
        raise Http404("No such screen.")
    return link


def kiosk_key(link: KioskLink) -> tuple[str, Meeting | None]:
    """What the kiosk shows and a key that changes whenever that changes (one query)."""
    meeting = (Meeting.objects.filter(team_id=link.team_id, ended_at__isnull=True)
               .order_by("-started_at").first())
    if meeting is not None:
        meeting.team = link.team
        meeting.agency = link.agency
        return f"m{meeting.pk}.{meeting.version}", meeting
    return f"l{link.agency.live_version}", None


@dataclass
class KioskBoard:
    team: Team
    week: dt.date
    rows: list
    celebrations: list


def kiosk_board(link: KioskLink, *, limit: int = 8) -> KioskBoard:
    """Between meetings: the team's live scorecard and wins, this week."""
    agency = link.agency
    week = Week.current(agency).start
    return KioskBoard(
        team=link.team, week=week,
        rows=team_rows(agency, week, team=link.team),
        celebrations=list(Celebration.objects.filter(agency=agency, producer__team=link.team)
                          .select_related("producer__user")
                          .order_by("-occurred_at", "-id")[:limit]),
    )


def kiosk_links_for(actor: Producer):
    return (KioskLink.objects.filter(agency=actor.agency, team__in=meeting_teams_for(actor))
            .select_related("team"))


def my_turn_view(meeting: Meeting, turn: MeetingTurn) -> dict:
    """A producer's own turn page: last week's results, next week's commitments and whose
    turn is on the screen now."""
    week = commitment_week(meeting)
    card = (WeeklyScorecard.objects
            .filter(producer_id=turn.producer_id, week_start=meeting.week_start).first())
    on_screen = None
    if meeting.section == S.TURNS:
        on_screen = (MeetingTurn.objects.filter(meeting=meeting, position=meeting.turn_index)
                     .select_related("producer__user").first())
    return {
        "commit_week": week,
        "card": card,
        "last_week_commitments": list(_producer_commitments(turn.producer_id,
                                                            meeting.week_start)),
        "next_week": list(_producer_commitments(turn.producer_id, week)),
        "on_screen": on_screen,
        "is_my_turn": on_screen is not None and on_screen.producer_id == turn.producer_id,
        # turns still to go before this one (the one on screen included)
        "turns_before": (turn.position - meeting.turn_index if meeting.section == S.TURNS
                         else turn.position if meeting.section == S.WINS else 0),
        "next_up": ((meeting.section == S.TURNS and turn.position == meeting.turn_index + 1)
                    or (meeting.section == S.WINS and turn.position == 0)),
    }
