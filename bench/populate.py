"""Fill the benchmark's (freshly migrated) database, with Django set up: agencies made by the
app's own `agency_create` (its default stages and activity types), teams and people through
the ORM (one password hash for everyone), the big ledgers by COPY, then the closed weeks, a
running meeting, every week's scorecards and everyone's goal plan by the app's own jobs."""

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

import psycopg
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accountability.meetings.services import meeting_start
from accountability.models import Commitment, ConfidenceCheckIn, WeekClosure
from accountability.planning.services import goal_plans_refresh_agency
from accountability.scorecards.refresh import scorecards_refresh
from bench.env import PASSWORD, libpq_url
from bench.simulate import (
    ACTIVITY_COLUMNS,
    ADVANCE_COLUMNS,
    CHECK_IN_COLUMNS,
    COMMITMENT_COLUMNS,
    FIRST_NAMES,
    LAST_NAMES,
    PROSPECT_COLUMNS,
    WIN_COLUMNS,
    AgencyHistory,
    Calendar,
    Ids,
    Seller,
)
from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance, StageWin
from pipeline.services import agency_create
from salesculture.models import Agency, Producer, Team
from salesculture.weeks import Week

TEAM_SIZE = 50
WHYS = [
    "Paying off my parents' mortgage so they can finally retire.",
    "Freedom to coach my son's baseball team every spring.",
    "Proving that a first-generation kid can own her own book of business.",
    "Time. I want Fridays with my family.",
    "Small business owners protected me when I was a kid; I return the favour.",
    "To travel to every national park with my wife before we turn fifty.",
    "Building a college fund for my daughter, one client at a time.",
    "Showing my team that steady beats flashy.",
]
COPIED = [Prospect, StageAdvance, StageWin, Activity, Commitment, ConfidenceCheckIn]


def username(slug: str, role: str, number: int = 0) -> str:
    """The logins: `<slug>-owner`, `<slug>-leader-01` (team 1's leader), `<slug>-producer-0001`."""
    if role == "owner":
        return f"{slug}-owner"
    return f"{slug}-{role}-{number:02d}" if role == "leader" else f"{slug}-{role}-{number:04d}"


def agency_slug(number: int) -> str:
    return f"bench-{number}"


class Populator:
    def __init__(self, *, url: str, producers: int, weeks: int, seed: int,
                 report: Callable[[str], None]):
        self.url = url
        self.people = producers
        self.weeks = weeks
        self.seed = seed
        self.report = report
        self.ids = Ids()
        self.now = timezone.now()
        self.password = make_password(PASSWORD)  # hashed once, shared by everyone

    def agency(self, number: int) -> Agency:
        rng = random.Random(f"{self.seed}-{number}")
        agency = agency_create(name=f"Bench Agency {number}", slug=agency_slug(number),
                               time_zone="America/Chicago")
        this_week = Week.current(agency, now=self.now).start
        first_monday = this_week - dt.timedelta(weeks=self.weeks - 1)
        calendar = Calendar(agency.tz, first_monday, self.now)
        week_starts = [first_monday + dt.timedelta(weeks=w) for w in range(calendar.weeks)]
        joined = calendar.eight_am[0] - dt.timedelta(days=30)
        sellers = self._people(agency, rng, joined)
        history = AgencyHistory(
            agency_id=agency.pk, stages=list(Stage.objects.filter(agency=agency)),
            types=dict(ActivityType.objects.filter(agency=agency).values_list("name", "pk")),
            sellers=sellers, calendar=calendar, rng=rng, ids=self.ids)
        started = time.perf_counter()
        ledger = history.ledger()
        with psycopg.connect(libpq_url(self.url)) as db, db.cursor() as cursor:
            # The rows are consistent by construction: skip the per-row foreign-key triggers.
            cursor.execute("SET session_replication_role = replica")
            counts = [_copy(cursor, Prospect, PROSPECT_COLUMNS, ledger.prospects),
                      _copy(cursor, StageAdvance, ADVANCE_COLUMNS, ledger.advances),
                      _copy(cursor, StageWin, WIN_COLUMNS, ledger.wins),
                      _copy(cursor, Activity, ACTIVITY_COLUMNS,
                            history.activities(ledger.recent)),
                      _copy(cursor, Commitment, COMMITMENT_COLUMNS,
                            history.commitments(week_starts, agency.tz)),
                      _copy(cursor, ConfidenceCheckIn, CHECK_IN_COLUMNS,
                            history.check_ins(week_starts, agency.tz))]
            # Each move records its prospect's line of business, as prospect_advance does;
            # the simulation picks a prospect's line after its moves.
            cursor.execute(
                f"UPDATE {StageAdvance._meta.db_table} a SET line_of_business = p.line_of_business"
                f" FROM {Prospect._meta.db_table} p WHERE p.id = a.prospect_id"
                " AND a.agency_id = %s", [agency.pk])
        self.report(f"  {agency.name}: {len(sellers)} people; copied "
                    + ", ".join(f"{n:,} {m._meta.verbose_name_plural}"
                                for n, m in zip(counts, COPIED, strict=True))
                    + f" in {time.perf_counter() - started:.1f} s")
        WeekClosure.objects.bulk_create(
            WeekClosure(agency=agency, week_start=monday, closed_at=self.now)
            for monday in week_starts if monday < this_week)
        leader = Producer.objects.get(user__username=username(agency.slug, "leader", 1))
        meeting_start(team=leader.team, week_start=this_week - dt.timedelta(weeks=1),
                      actor=leader)
        return agency

    def _people(self, agency: Agency, rng: random.Random, joined: dt.datetime) -> list[Seller]:
        """One owner (no team: the whole agency), a leader per team of about TEAM_SIZE, the
        rest producers spread over the teams; everyone with a why and a goal."""
        teams = Team.objects.bulk_create(
            Team(agency=agency, name=f"Team {n:02d}")
            for n in range(1, max(1, round(self.people / TEAM_SIZE)) + 1))
        roles = [("owner", None, 0)]
        roles += [("leader", team, n) for n, team in enumerate(teams, 1)]
        roles += [("producer", teams[n % len(teams)], n + 1)
                  for n in range(max(0, self.people - len(roles)))]
        roles = roles[:self.people]
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=username(agency.slug, role, n), password=self.password,
                             first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                             email=f"{username(agency.slug, role, n)}@bench.example",
                             date_joined=joined)
            for role, _, n in roles)
        producers = Producer.objects.bulk_create(
            Producer(user=user, agency=agency, team=team, role=role, why=rng.choice(WHYS),
                     annual_goal=Decimal(rng.randrange(100, 320, 20) * 1000))
            for user, (role, team, _) in zip(users, roles, strict=True))
        # Everyone joined before the first week, so every week has their card.
        Producer.objects.filter(agency=agency).update(created_at=joined)
        return [Seller(p.pk, pace=rng.uniform(0.6, 1.4), skill=rng.uniform(0.7, 1.3))
                for p in producers]

    def finish(self) -> None:
        """Sequences past the copied ids, and statistics for the planner (before the
        scorecard job reads the ledgers)."""
        with connection.cursor() as cursor:
            for model in COPIED:
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
            cursor.execute("ANALYZE")

    def scorecards(self, agency: Agency) -> float:
        """Every week's scorecards by the app's job, oldest first (personal bests build on
        earlier weeks); closed weeks final. Returns the seconds it took."""
        started = time.perf_counter()
        this_week = Week.current(agency, now=self.now).start
        for monday in sorted(WeekClosure.objects.filter(agency=agency)
                             .values_list("week_start", flat=True)) + [this_week]:
            scorecards_refresh(agency=agency, week_start=monday, final=monday < this_week)
        return time.perf_counter() - started

    def plans(self, agency: Agency) -> float:
        """Everyone's goal plan, as the nightly job leaves them (pages read the stored plans).
        Returns the seconds it took."""
        started = time.perf_counter()
        goal_plans_refresh_agency(agency=agency)
        return time.perf_counter() - started


def _copy(cursor, model, columns: tuple, rows: Iterable[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
