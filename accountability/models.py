from django.db import models
from django.db.models import Q

from pipeline.models import ActivityType, Prospect, Stage, StageAdvance
from salesculture.models import Agency, Producer, Team

# Models in their own modules (one app label): obstacles and the kiosk are the meeting's,
# week closures the rollover's.
from .meetings.kiosk_models import KioskLink  # noqa: F401
from .meetings.obstacles.models import Obstacle  # noqa: F401
from .scorecards.closure_models import WeekClosure  # noqa: F401
from .scorecards.columns import PRODUCED, ProductionColumns


class Commitment(models.Model):
    """A promise for one week (its Monday, in the agency's time zone).

    Measurable kinds are judged from the ledgers; a specific promise is ticked by the producer
    and shown as self-reported.
    """

    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Activities"
        STAGE_WINS = "stage_wins", "Stage wins"
        SPECIFIC = "specific", "Specific promise"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        MISSED = "missed", "Missed"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="commitments")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="commitments")
    week_start = models.DateField(help_text="The Monday of the committed week.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="commitments")
    # For stage wins: advances into this stage; empty means any forward advance.
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="commitments")
    target = models.PositiveIntegerField(null=True, blank=True)
    text = models.CharField(max_length=200, blank=True)
    prospect = models.ForeignKey(Prospect, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="commitments")
    due_date = models.DateField(null=True, blank=True)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    planned_ahead = models.BooleanField(default=False,
                                        help_text="Made before the week started.")
    meeting = models.ForeignKey("Meeting", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="commitments_made")
    self_reported_done = models.BooleanField(default=False)
    # One per rendered promise form: a double submit sends it twice and promises once.
    client_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Set when the week is closed; until then progress is computed live from the ledgers.
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    actual = models.PositiveIntegerField(null=True, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["week_start", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="commitment_fields_match_kind",
                condition=(
                    Q(kind="activity", activity_type__isnull=False, target__isnull=False)
                    | Q(kind="stage_wins", activity_type__isnull=True, target__isnull=False)
                    | (Q(kind="specific", target__isnull=True) & ~Q(text=""))
                ),
            ),
            # One number per measure and week: a second target for the same measure replaces
            # the first (commitments.services), it never stands beside it.
            models.UniqueConstraint(fields=["producer", "week_start", "activity_type"],
                                    condition=Q(kind="activity"),
                                    name="one_activity_target_per_week"),
            models.UniqueConstraint(fields=["producer", "week_start", "stage"],
                                    condition=Q(kind="stage_wins", stage__isnull=False),
                                    name="one_stage_target_per_week"),
            models.UniqueConstraint(fields=["producer", "week_start"],
                                    condition=Q(kind="stage_wins", stage__isnull=True),
                                    name="one_any_stage_target_per_week"),
            models.UniqueConstraint(fields=["producer", "client_token"],
                                    condition=Q(client_token__isnull=False),
                                    name="commitment_client_token_once"),
        ]
        indexes = [
            models.Index(fields=["agency", "week_start"]),
            models.Index(fields=["producer", "week_start"]),
            # Leader alerts ask, for each of up to 500 people, whether they missed the last
            # two weeks: only the missed few rows are indexed (half the alerts' first query).
            models.Index(fields=["producer", "week_start"], condition=Q(status="missed"),
                         name="commitment_missed"),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        if self.kind == self.Kind.ACTIVITY:
            return f"{self.target} × {self.activity_type}"
        if self.kind == self.Kind.STAGE_WINS:
            where = f" to {self.stage}" if self.stage_id else ""
            return f"{self.target} stage win{'s' if self.target != 1 else ''}{where}"
        return self.text

    @property
    def is_measurable(self) -> bool:
        return self.kind != self.Kind.SPECIFIC


class ScorecardManager(models.Manager):
    """Cards are read as rows by every board; the funnel's evidence, their largest field, is
    read only by the funnel page (as values), so rows leave it out unless asked."""

    def get_queryset(self):
        return super().get_queryset().defer("funnel")


class WeeklyScorecard(ProductionColumns, models.Model):
    """One producer's numbers for one week, materialised by `refresh_scorecards`."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="scorecards")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="scorecards")
    week_start = models.DateField()
    # {"<activity_type_id>": count}; JSON keys are strings.
    activity_counts = models.JSONField(default=dict, blank=True)
    activities_total = models.PositiveIntegerField(default=0)
    wins = models.PositiveIntegerField(default=0)
    # {"<stage_id>": wins into that stage}
    wins_by_stage = models.JSONField(default=dict, blank=True)
    # The funnel's evidence, so the funnel page never reads the ledgers (planning/
    # funnel_weeks.py): {"created": {"<stage_id>": prospects created in it}, "out":
    # {"<stage_id>": moves out of it}, "stays": {"<stage_id>": {"<whole days>": stays in it
    # that ended this week}}}.
    funnel = models.JSONField(default=dict, blank=True)
    commitments_total = models.PositiveIntegerField(default=0)
    commitments_kept = models.PositiveIntegerField(default=0)
    # {"<commitment_id>": actual} so pages show progress without touching the ledgers.
    commitment_actuals = models.JSONField(default=dict, blank=True)
    pipeline_open_count = models.PositiveIntegerField(default=0)
    pipeline_open_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    coverage = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                   help_text="Open pipeline value ÷ a quarter of the goal.")
    process_adherence = models.DecimalField(max_digits=5, decimal_places=2, null=True,
                                            blank=True)
    confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    is_final = models.BooleanField(default=False)
    # Set anew by every write of a card (the scorecard job is their one writer): a worker keeps
    # the cards it read under their id and this time (scorecards/stored_cards.py).
    computed_at = models.DateTimeField()

    objects = ScorecardManager()

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "week_start"],
                                    name="one_scorecard_per_producer_week"),
        ]
        indexes = [
            # The agency's cards of some weeks, read from the index alone: role fit's five
            # numbers a card, and the whole-agency board's sums per team and week. (A card is
            # rewritten often, so its table holds many dead versions a scan would wade through.)
            models.Index(fields=["agency", "week_start"],
                         include=["producer", "commitments_kept", "commitments_total", "wins",
                                  "activities_total", "pipeline_open_count",
                                  "pipeline_open_value", "is_final"],
                         name="scorecard_agency_week"),
            # Each producer's most wins in an earlier week, read from their best card down.
            models.Index(fields=["producer", "wins"], include=["week_start"],
                         name="scorecard_producer_best"),
            # The weeks that produced something, with what they produced: the refresh sums a
            # year of them per producer from this index alone (a quarter of the cards).
            models.Index(fields=["agency", "week_start"],
                         include=["producer", "bound", "premium_bound", "revenue_bound",
                                  "quoted"],
                         condition=PRODUCED, name="scorecard_agency_produced"),
        ]

    def __str__(self) -> str:
        return f"{self.producer_id} {self.week_start}"

    @property
    def kept_ratio(self) -> float | None:
        if not self.commitments_total:
            return None
        return self.commitments_kept / self.commitments_total


class AgencyFunnelWeek(models.Model):
    """The whole agency's funnel numbers of one week: the week's scorecards summed by the
    scorecard job, so the agency's funnel reads a row a week rather than a card per producer.
    The same fields as the card, with the same keys."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="funnel_weeks")
    week_start = models.DateField()
    activity_counts = models.JSONField(default=dict, blank=True)
    wins_by_stage = models.JSONField(default=dict, blank=True)
    funnel = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "week_start"],
                                    name="one_funnel_week_per_agency_week"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.week_start}"


class Celebration(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", "Stage advance"
        PERSONAL_BEST = "personal_best", "Personal best week"
        KEPT_WEEK = "kept_week", "Every commitment kept"
        STREAK = "streak", "Streak of kept weeks"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="celebrations")
    # Indexed with the week and with the time (Meta), which serve its lookups too.
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, db_index=False,
                                 related_name="celebrations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What caused it, e.g. "advance:42" or "kept_week:7:2026-11-16"; unique per agency so a
    # job that runs twice never celebrates twice.
    source_key = models.CharField(max_length=80)
    stage_advance = models.OneToOneField(StageAdvance, on_delete=models.CASCADE, null=True,
                                         blank=True, related_name="celebration")
    week_start = models.DateField()
    title = models.CharField(max_length=160)
    detail = models.CharField(max_length=240, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_key"],
                                    name="one_celebration_per_source"),
        ]
        indexes = [
            models.Index(fields=["agency", "-occurred_at"]),
            models.Index(fields=["agency", "week_start"]),
            # A producer's own feed (My week): their newest few, not a walk through the
            # agency's.
            models.Index(fields=["producer", "-occurred_at"], name="celebration_producer_newest"),
            # A team's week (the meeting's reel): each member's week, not all their weeks.
            models.Index(fields=["producer", "week_start"], name="celebration_producer_week"),
        ]

    def __str__(self) -> str:
        return self.title


class GoalPlan(models.Model):
    """A producer's annual goal turned into weekly stage wins and activities."""

    class Label(models.TextChoices):
        REALISTIC = "realistic", "Realistic"
        STRETCH = "stretch", "Stretch"
        PRETEND = "pretend", "Pretend number"
        INCOMPLETE = "incomplete", "Cannot compute"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="goal_plans")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="goal_plans")
    year = models.PositiveSmallIntegerField()
    annual_goal = models.DecimalField(max_digits=12, decimal_places=2)
    working_weeks = models.PositiveSmallIntegerField(default=48)
    weeks_left = models.PositiveSmallIntegerField()
    # The computed lines, rates and sample sizes, as shown on the plan page.
    lines = models.JSONField(default=list)
    # The summary's steady pace in wins a week, also kept as a column so role fit reads one
    # number per person instead of every plan's lines.
    pace_wins_per_week = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=12, choices=Label.choices)
    label_reason = models.CharField(max_length=240, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["producer", "year"], name="one_plan_per_producer_year"),
        ]
        # Role fit reads everyone's pace without the plans' lines.
        indexes = [models.Index(fields=["agency", "year"],
                                include=["producer", "pace_wins_per_week"],
                                name="goal_plan_agency_pace")]

    def __str__(self) -> str:
        return f"{self.producer_id} {self.year}: {self.label}"


class ConfidenceCheckIn(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="check_ins")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="check_ins")
    week_start = models.DateField()
    process = models.PositiveSmallIntegerField(
        help_text="I can take a prospect through a value-driven process.")
    pipeline = models.PositiveSmallIntegerField(help_text="My pipeline is full.")
    team = models.PositiveSmallIntegerField(
        help_text="I have the team and solutions to make a difference.")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "week_start"],
                                    name="one_check_in_per_producer_week"),
            models.CheckConstraint(
                condition=Q(process__gte=1, process__lte=5, pipeline__gte=1, pipeline__lte=5,
                            team__gte=1, team__lte=5),
                name="check_in_ratings_1_to_5"),
        ]
        # Leader alerts read a few weeks of the whole agency's check-ins: without it, every
        # agency's check-ins of every week are scanned.
        indexes = [models.Index(fields=["agency", "week_start"], name="check_in_agency_week")]

    def __str__(self) -> str:
        return f"{self.producer_id} {self.week_start}: {self.process}/{self.pipeline}/{self.team}"

    @property
    def average(self) -> float:
        return (self.process + self.pipeline + self.team) / 3


class Meeting(models.Model):
    """The weekly accountability meeting of one team; its state survives reloads."""

    class Section(models.TextChoices):
        WINS = "wins", "Wins"
        TURNS = "turns", "Turns"
        PIPELINE = "pipeline", "Pipeline health"
        CLEAR_PATH = "clear_path", "Clear the path"
        WRAP_UP = "wrap_up", "Wrap-up"
        ENDED = "ended", "Ended"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="meetings")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    week_start = models.DateField(help_text="The week being reviewed (last week's Monday).")
    started_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    section = models.CharField(max_length=10, choices=Section.choices, default=Section.WINS)
    section_started_at = models.DateTimeField()
    turn_index = models.PositiveSmallIntegerField(default=0)
    win_index = models.PositiveSmallIntegerField(default=0)
    # {"wins": seconds, ...} spent per finished section, for the minutes and the wrap-up.
    section_seconds = models.JSONField(default=dict, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Bumped on every change so followers (the TV, a kiosk) swap only when something moved.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-week_start", "-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week_start"],
                                    name="one_meeting_per_team_week"),
            models.CheckConstraint(condition=Q(rating__isnull=True)
                                   | Q(rating__gte=1, rating__lte=10),
                                   name="meeting_rating_1_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.week_start}"


class MeetingTurn(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="turns")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="turn_position_unique"),
            models.UniqueConstraint(fields=["meeting", "producer"], name="one_turn_per_producer"),
        ]

    def __str__(self) -> str:
        return f"Turn {self.position} of meeting {self.meeting_id}"


# Coaching's models have their own module only because this one is at the length limit.
from .coaching.models import AlertDismissal, OneOnOne, OneOnOneAction  # noqa: E402, F401
