"""Load the demo agency: the same people, prospects and 13 weeks of history every time."""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accountability.management.demo_insurance import demo_insurance_details
from accountability.models import Commitment, ConfidenceCheckIn, WeekClosure
from accountability.planning.selectors import working_weeks_left
from accountability.planning.services import goal_plans_refresh_agency
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.ledger import stage_wins_replay
from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance
from pipeline.services import agency_create
from salesculture.models import Agency, DirtyWeek
from salesculture.services import producer_create, team_create
from salesculture.weeks import Week

DEMO_SLUG = "summit"
DEMO_PASSWORD = "salesculture"
DEMO_LOGINS = [("owner", "Owner"), ("leader", "Leader"), ("producer", "Producer")]

# (username, first, last, role, team index, activity pace, skill, why)
PEOPLE = [
    ("owner", "Olivia", "Grant", "owner", 0, 1.0, 1.15,
     "I built this agency so the families in our town are never left uninsured after a storm."),
    ("leader", "Leo", "Martinez", "leader", 0, 1.1, 1.1,
     "My kids see me keep my word. That matters more to me than any number on a board."),
    ("hannah", "Hannah", "Brooks", "leader", 1, 0.9, 1.0,
     "To coach people into the careers I wish someone had shown me."),
    ("producer", "Paula", "Chen", "producer", 0, 1.2, 1.05,
     "Paying off my parents' mortgage so they can finally retire."),
    ("marcus", "Marcus", "Reed", "producer", 0, 0.7, 0.8,
     "Freedom to coach my son's baseball team every spring."),
    ("sofia", "Sofia", "Patel", "producer", 0, 1.0, 1.2,
     "Proving that a first-generation kid can own her own book of business."),
    ("james", "James", "O'Connor", "producer", 0, 0.55, 0.7,
     "Time. I want Fridays with my family."),
    ("grace", "Grace", "Kim", "producer", 1, 1.05, 0.95,
     "Small business owners protected me when I was a kid; I return the favour."),
    ("ethan", "Ethan", "Walker", "producer", 1, 0.85, 1.0,
     "To travel to every national park with my wife before we turn fifty."),
    ("nina", "Nina", "Alvarez", "producer", 1, 1.3, 0.9,
     "Building a college fund for my daughter, one client at a time."),
    ("tom", "Tom", "Fischer", "producer", 1, 0.6, 0.75,
     "Showing my team that steady beats flashy."),
]

# How far beyond their recent pace each person's goal reaches (1.0 = keep the pace).
GOAL_AMBITION = {"owner": 0.9, "leader": 1.15, "hannah": 1.0, "producer": 1.3, "marcus": 2.6,
                 "sofia": 0.95, "james": 8.0, "grace": 1.1, "ethan": 1.6, "nina": 0.9,
                 "tom": 2.2}
# James promises far more than he does, week after week: the demo's role-fit conversation.
COMMITMENT_STRETCH = {"james": 1.8}
# ... and names a goal from the air. A multiple of his own pace would not do: he has bound one
# small policy, and the plan rightly blends so thin a deal size with the agency's, so his pace
# says little about what he is asking of himself.
GOAL_FROM_THE_AIR = {"james": Decimal(150_000)}

FIRST_NAMES = ["Ava", "Ben", "Cara", "Dan", "Eli", "Faye", "Gus", "Ivy", "Jon", "Kai", "Lia", "Max"]
LAST_NAMES = ["Hart", "Lane", "Moss", "Nash", "Pike", "Quinn", "Rowe", "Shaw", "Tate", "Vale"]
BUSINESSES = ["Roofing", "Dental", "Bakery", "Logistics", "Landscaping", "Auto Body", "Brewing",
              "Plumbing", "Vet Clinic", "Print Shop", "Fitness", "Electric", "Cafe", "Builders"]
REVENUE = {"personal": (600, 3000), "commercial": (3000, 24000), "life": (500, 4000),
           "benefits": (5000, 30000)}
# Chance per week that a prospect in the stage at this position moves on, for skill 1.0.
ADVANCE_CHANCE = [0.55, 0.5, 0.6, 0.55, 0.5, 0.45]
LOSS_CHANCE = [0.08, 0.1, 0.08, 0.1, 0.12, 0.15]
LOST_REASONS = ["Went with their current agent", "Price", "Not the right time",
                "Bought direct online", "Stopped responding"]

NEXT_STEPS = ["Call to confirm the appointment", "Send the coverage checklist",
              "Collect loss runs", "Review quotes together", "Present the proposal",
              "Ask for two referrals", "Follow up on the signed application"]


class Command(BaseCommand):
    help = "Create the Summit Insurance Group demo agency (idempotent; fixed random seed)."

    def add_arguments(self, parser):
        parser.add_argument("--producers", type=int, default=8,
                            help="Producers besides the owner and the two leaders (default 8).")
        parser.add_argument("--weeks", type=int, default=13, help="Weeks of history (default 13).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, producers: int, weeks: int, seed: int, **options):
        if producers < 1 or weeks < 1:
            raise CommandError("--producers and --weeks must be at least 1.")
        if Agency.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo agency is already loaded; nothing to do.")
            return
        started = timezone.now()
        with transaction.atomic():
            agency = DemoBuilder(random.Random(seed), producers, weeks).build()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {agency.name}: {agency.producers.count()} people, "
            f"{Prospect.objects.filter(agency=agency).count()} prospects, "
            f"{StageAdvance.objects.filter(agency=agency).count()} stage moves, "
            f"{weeks} weeks of history in {(timezone.now() - started).total_seconds():.1f}s."))


class DemoBuilder:
    def __init__(self, rng: random.Random, producer_count: int, weeks: int):
        self.rng = rng
        # Commitments, check-ins and goals draw from their own stream: the ledger simulation
        # stops at "now", so its draws depend on the hour the demo is loaded, and these
        # should not.
        self.promise_rng = random.Random(rng.random())
        self.producer_count = producer_count
        self.weeks = weeks
        self.now = timezone.now()
        # Nothing happens in the last undo window: the week page offers to undo an activity
        # written within it, and a visitor to the demo never logged any of these.
        self.history_ends = self.now - dt.timedelta(seconds=settings.SALESCULTURE["UNDO_SECONDS"])
        self.advances: list[StageAdvance] = []
        self.activities: list[Activity] = []

    def build(self) -> Agency:
        agency = agency_create(name="Summit Insurance Group", slug=DEMO_SLUG,
                               time_zone="America/Chicago")
        self.agency = agency
        self.tz = agency.tz
        teams = [team_create(agency=agency, name="North"), team_create(agency=agency, name="South")]
        self.stages = list(Stage.objects.filter(agency=agency).order_by("position"))
        self.open_stages = [s for s in self.stages if s.kind == Stage.Kind.OPEN]
        self.won = next(s for s in self.stages if s.kind == Stage.Kind.WON)
        self.lost = next(s for s in self.stages if s.kind == Stage.Kind.LOST)
        self.types = {t.name: t for t in ActivityType.objects.filter(agency=agency)}

        people = list(PEOPLE[:3]) + list(PEOPLE[3:3 + self.producer_count])
        for i in range(len(people) - 3, self.producer_count):
            people.append((f"producer{i + 1}", self.rng.choice(FIRST_NAMES),
                           self.rng.choice(LAST_NAMES), "producer", i % 2,
                           self.rng.uniform(0.5, 1.3), self.rng.uniform(0.7, 1.2), ""))
        self.people = []
        for username, first, last, role, team, pace, skill, why in people:
            producer = producer_create(
                agency=agency, username=username, password=DEMO_PASSWORD, first_name=first,
                last_name=last, email=f"{username}@summit.example", team=teams[team], role=role,
                why=why, annual_goal=Decimal(self.rng.choice([90, 120, 150, 180, 220]) * 1000))
            self.people.append((producer, pace, skill))

        this_week = Week.current(agency).start
        first_week = this_week - dt.timedelta(weeks=self.weeks - 1)
        prospects: dict[int, list[Prospect]] = {p.pk: [] for p, _, _ in self.people}
        for w in range(self.weeks):
            week = first_week + dt.timedelta(weeks=w)
            for producer, pace, skill in self.people:
                self._simulate_week(producer, pace, skill, week, prospects[producer.pk])
        self._schedule_next_steps(prospects)
        Activity.objects.bulk_create(self.activities, batch_size=500)
        # Stamped as written when they happened, not when the demo was loaded (see history_ends).
        Activity.objects.filter(agency=agency).update(created_at=F("occurred_at"))
        # Ledger rows are written in time order so ids follow occurred_at.
        self.advances.sort(key=lambda a: a.occurred_at)
        StageAdvance.objects.bulk_create(self.advances, batch_size=500)
        stage_wins_replay(prospects=Prospect.objects.filter(agency=self.agency))
        # Before the scorecards: a bound prospect's premium is what "premium bound" sums.
        demo_insurance_details(agency=agency, today=self.now.astimezone(self.tz).date())

        for w in range(self.weeks):
            week = first_week + dt.timedelta(weeks=w)
            for producer, pace, skill in self.people:
                self._commitments_and_check_in(producer, pace, skill, week, this_week)
        # Goals before the scorecards: each card's pace is measured against its goal.
        self._set_goals(prospects)
        for w in range(self.weeks):
            week = first_week + dt.timedelta(weeks=w)
            closed = week < this_week
            if closed:
                WeekClosure.objects.create(agency=agency, week_start=week, closed_at=self.now)
            scorecards_refresh(agency=agency, week_start=week, final=closed)
        # Refreshed in order, each week summed the ones before: nothing is left to redo.
        DirtyWeek.objects.filter(agency=agency).delete()
        goal_plans_refresh_agency(agency=agency)
        return agency

    def _set_goals(self, prospects):
        """Goals that ask each person for a chosen multiple of their recent pace, so the demo
        shows realistic, stretch and pretend plans whatever the date it is loaded on."""
        year_start = dt.datetime(self.now.year, 1, 1, tzinfo=self.tz)
        weeks_left = working_weeks_left(
            self.agency, working_weeks=settings.SALESCULTURE["WORKING_WEEKS_PER_YEAR"])
        for producer, _, _ in self.people:
            bound = [p for p in prospects[producer.pk] if p.stage == self.won]
            this_year = sum((p.estimated_revenue for p in bound
                             if p.stage_entered_at >= year_start), Decimal(0))
            weekly = sum((p.estimated_revenue for p in bound), Decimal(0)) / self.weeks
            ambition = (GOAL_AMBITION.get(producer.user.username)
                        or self.promise_rng.uniform(0.8, 2.5))
            goal = this_year + weekly * weeks_left * Decimal(str(ambition))
            if not bound:  # no history to scale: a number picked the usual way, from the air
                goal = Decimal(30_000) * Decimal(str(ambition))
            producer.annual_goal = GOAL_FROM_THE_AIR.get(
                producer.user.username, max(Decimal(25_000), round(goal / 1000) * 1000))
            producer.save(update_fields=["annual_goal"])

    # --- the simulation -------------------------------------------------------------------

    def _moment(self, week: dt.date) -> dt.datetime | None:
        """A business-hours moment in the week, or None if it would be in the future."""
        day = week + dt.timedelta(days=self.rng.randint(0, 4))
        at = dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randint(0, 59)),
                                 tzinfo=self.tz)
        return at if at <= self.history_ends else None

    def _simulate_week(self, producer, pace, skill, week, prospects):
        rng = self.rng
        for name, per_week in [("Call", 35), ("Email", 18), ("Appointment", 4),
                               ("Referral ask", 3), ("Quote", 3), ("Proposal", 2)]:
            total = max(0, round(rng.gauss(per_week * pace, per_week * 0.2)))
            while total > 0:
                chunk = min(total, rng.randint(1, 8) if name in ("Call", "Email") else 1)
                total -= chunk
                at = self._moment(week)
                if at is None:
                    continue
                self.activities.append(Activity(
                    agency=self.agency, producer=producer, activity_type=self.types[name],
                    occurred_at=at, quantity=chunk,
                    outcome=rng.choice(["connected", "no_answer", "left_message", ""])))

        for prospect in list(prospects):
            if prospect.stage.kind != Stage.Kind.OPEN:
                continue
            index = self.open_stages.index(prospect.stage)
            at = self._moment(week)
            if at is None or at <= prospect.stage_entered_at:
                continue
            roll = rng.random()
            if roll < LOSS_CHANCE[index] / skill:
                self._move(prospect, self.lost, at, lost_reason=rng.choice(LOST_REASONS))
            elif roll < LOSS_CHANCE[index] / skill + ADVANCE_CHANCE[index] * skill * pace ** 0.3:
                following = (self.open_stages[index + 1] if index + 1 < len(self.open_stages)
                             else self.won)
                self._move(prospect, following, at)

        for _ in range(max(1, round(rng.gauss(4 * pace, 1)))):
            at = self._moment(week)
            if at is None:
                continue
            lob = rng.choice(list(REVENUE))
            low, high = REVENUE[lob]
            name = (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if lob in
                    ("personal", "life") else
                    f"{rng.choice(LAST_NAMES)} {rng.choice(BUSINESSES)}")
            revenue = Decimal(rng.randrange(low, high, 50))
            prospect = Prospect.objects.create(
                agency=self.agency, owner=producer, name=name, line_of_business=lob,
                estimated_revenue=revenue,
                stage=self.open_stages[0],
                stage_entered_at=at, source=rng.choice(["Referral", "Website", "Cold call",
                                                        "Networking event", "Existing client"]))
            self.advances.append(StageAdvance(
                agency=self.agency, prospect=prospect, producer=producer, moved_by=producer,
                from_stage=None, to_stage=prospect.stage, occurred_at=at,
                line_of_business=prospect.line_of_business))
            prospects.append(prospect)

    def _move(self, prospect, to_stage, at, lost_reason=""):
        rng = self.rng
        closed = to_stage.kind != Stage.Kind.OPEN
        step = "" if closed else rng.choice(NEXT_STEPS)
        due = None if closed else (at + dt.timedelta(days=rng.randint(1, 6))).date()
        follows_process = rng.random() < 0.8
        self.advances.append(StageAdvance(
            agency=self.agency, prospect=prospect, producer=prospect.owner,
            moved_by=prospect.owner, from_stage=prospect.stage, to_stage=to_stage,
            occurred_at=at,
            next_step=step if follows_process else "",
            next_step_due=due if follows_process else None,
            definition_confirmed=follows_process or closed, lost_reason=lost_reason,
            line_of_business=prospect.line_of_business))
        prospect.stage = to_stage
        prospect.stage_entered_at = at
        prospect.lost_reason = lost_reason

    def _schedule_next_steps(self, prospects):
        """Today's open pipeline: most prospects have a next step, some overdue, some none."""
        today = self.now.astimezone(self.tz).date()
        changed = []
        for items in prospects.values():
            for prospect in items:
                if prospect.stage.kind == Stage.Kind.OPEN:
                    roll = self.rng.random()
                    if roll < 0.12:
                        prospect.next_step, prospect.next_step_due = "", None
                    else:
                        prospect.next_step = self.rng.choice(NEXT_STEPS)
                        offset = -self.rng.randint(1, 5) if roll < 0.3 else self.rng.randint(0, 9)
                        prospect.next_step_due = today + dt.timedelta(days=offset)
                changed.append(prospect)
        Prospect.objects.bulk_update(
            changed, ["stage", "stage_entered_at", "lost_reason", "next_step", "next_step_due"],
            batch_size=500)

    def _commitments_and_check_in(self, producer, pace, skill, week, this_week):
        rng = self.promise_rng
        made = dt.datetime.combine(week - dt.timedelta(days=rng.choice([1, 2, 3, -1])),
                                   dt.time(16, 30), tzinfo=self.tz)
        if made > self.now:
            return
        planned_ahead = made < dt.datetime.combine(week, dt.time.min, tzinfo=self.tz)
        ambition = rng.uniform(0.85, 1.25) * COMMITMENT_STRETCH.get(producer.user.username, 1)
        rows = [
            Commitment(kind=Commitment.Kind.ACTIVITY, activity_type=self.types["Call"],
                       target=max(5, round(35 * pace * ambition / 5) * 5)),
            Commitment(kind=Commitment.Kind.STAGE_WINS,
                       target=max(2, round(12 * skill * pace * ambition))),
            Commitment(kind=Commitment.Kind.ACTIVITY, activity_type=self.types["Referral ask"],
                       target=max(1, round(3 * pace * ambition))),
        ]
        if rng.random() < 0.6:
            rows.append(Commitment(
                kind=Commitment.Kind.SPECIFIC,
                text=rng.choice(["Send the Moss Dental proposal by Thursday",
                                 "Book a renewal review with my top 3 clients",
                                 "Ask every bound client this week for a referral"]),
                due_date=week + dt.timedelta(days=3),
                self_reported_done=week < this_week and rng.random() < skill * 0.7))
        for row in rows:
            row.agency = self.agency
            row.producer = producer
            row.week_start = week
            row.made_at = made
            row.made_by = producer
            row.planned_ahead = planned_ahead
        Commitment.objects.bulk_create(rows)
        if week < this_week or rng.random() < 0.5:
            base = 3 + (skill - 1) * 4
            ConfidenceCheckIn.objects.create(
                agency=self.agency, producer=producer, week_start=week,
                process=_rating(rng, base + 0.5), pipeline=_rating(rng, base * pace),
                team=_rating(rng, base + 0.8), note="")


def _rating(rng: random.Random, around: float) -> int:
    return max(1, min(5, round(rng.gauss(around, 0.7))))
