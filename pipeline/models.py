from django.db import models
from django.db.models import Q

from salesculture.models import Agency, Producer

from .phones import PhoneDigitsField


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OPEN)
    definition_of_done = models.TextField(
        help_text="What must be true for a prospect to reach this stage.")
    stale_after_days = models.PositiveSmallIntegerField(default=14)
    # A stage with history is never deleted: once retired it is no longer offered for a move
    # or a new prospect, and every ledger row, win and count that names it stays.
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "position"],
                                    name="stage_position_unique_per_agency"),
            models.UniqueConstraint(fields=["agency", "name"], name="stage_name_unique_per_agency"),
            models.CheckConstraint(condition=Q(stale_after_days__gte=1),
                                   name="stage_stale_after_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_lost(self) -> bool:
        return self.kind == self.Kind.LOST

    @property
    def is_won(self) -> bool:
        return self.kind == self.Kind.WON

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class LiveProspectManager(models.Manager):
    """Prospects not deleted: what every page lists, opens and counts as open pipeline."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Prospect(models.Model):
    """A potential client. Deleting one is a soft delete (`prospect_delete`): it leaves every
    page, form and open-pipeline figure, while its ledger rows (stage advances, stage wins,
    activities) stay and keep counting, because they happened.

    `objects` hides deleted prospects; `all_objects` sees them all and is the base manager, so
    a ledger row's `.prospect` still resolves to its deleted prospect."""

    class LineOfBusiness(models.TextChoices):
        PERSONAL = "personal", "Personal lines"
        COMMERCIAL = "commercial", "Commercial lines"
        LIFE = "life", "Life & health"
        BENEFITS = "benefits", "Employee benefits"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="prospects")
    owner = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="prospects")
    name = models.CharField(max_length=120)
    line_of_business = models.CharField(max_length=16, choices=LineOfBusiness.choices,
                                        default=LineOfBusiness.PERSONAL)
    estimated_revenue = models.DecimalField(
        max_digits=12, decimal_places=2, default=0,
        help_text="Estimated annual revenue (commission) in dollars.")
    # What an insurance producer knows about the household or business (issue 15).
    class ClientType(models.TextChoices):
        HOUSEHOLD = "household", "Household"
        BUSINESS = "business", "Business"

    client_type = models.CharField(max_length=10, choices=ClientType.choices,
                                   default=ClientType.HOUSEHOLD)
    contact_name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    phone_digits = PhoneDigitsField(source="phone")  # what search matches a number against
    email = models.EmailField(blank=True)
    current_carrier = models.CharField(max_length=80, blank=True)
    current_premium = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="What the prospect pays the current carrier a year, in dollars.")
    # The premium of the policy this agency quotes and, once bound, writes: the scorecard's
    # "premium bound" sums it over the week's bound wins.
    premium = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Annual premium of the policy you are quoting, in dollars.")
    # When the current policy renews: the producer quotes 60 to 30 days before it.
    x_date = models.DateField("X-date", null=True, blank=True)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="prospects")
    stage_entered_at = models.DateTimeField()
    # The high-water mark of the win rule (pipeline/wins.py): the furthest stage of the path
    # the prospect ever reached. Only `prospect_advance` moves it, under the prospect's lock.
    furthest_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    next_step = models.CharField(max_length=200, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=80, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    # The prospect's id in the spreadsheet or system it was imported from: re-importing the
    # same file updates it instead of adding it again. Unique per agency when set.
    external_id = models.CharField(max_length=100, null=True, blank=True)
    # One per rendered "new prospect" form: a double submit sends it twice and creates one.
    client_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                   editable=False, related_name="+")

    objects = LiveProspectManager()
    all_objects = models.Manager()  # noqa: DJ012 - the plain manager, second: not the default

    class Meta:
        ordering = ["name"]
        base_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(estimated_revenue__gte=0),
                                   name="prospect_revenue_not_negative"),
            models.CheckConstraint(condition=Q(premium__gte=0) | Q(premium__isnull=True),
                                   name="prospect_premium_not_negative"),
            models.CheckConstraint(
                condition=Q(current_premium__gte=0) | Q(current_premium__isnull=True),
                name="prospect_current_premium_not_negative"),
            models.UniqueConstraint(fields=["agency", "client_token"],
                                    name="prospect_client_token_once",
                                    condition=Q(client_token__isnull=False)),
            models.UniqueConstraint(fields=["agency", "external_id"],
                                    name="prospect_external_id_once",
                                    condition=Q(external_id__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["agency", "owner", "stage"]),
            models.Index(fields=["owner", "next_step_due"]),
            models.Index(fields=["owner", "x_date"]),
            models.Index(fields=["agency", "phone_digits"]),
        ]

    def __str__(self) -> str:
        return self.name


class StageAdvance(models.Model):
    """Append-only ledger of every stage change.

    A move wins the stages it makes the prospect reach for the first time (pipeline/wins.py);
    `wins` counts them and each has a `StageWin` row. The first row of a prospect (its
    creation) has no `from_stage` and wins nothing: it records that the prospect reached its
    first stage, which the funnel counts.
    """

    # The note is free text; forms keep it to this many characters.
    NOTE_MAX_LENGTH = 500

    class Source(models.TextChoices):
        LIVE = "live", "Moved in the app"
        # Written by a CSV import: where the prospect stood in the spreadsheet. Never a win and
        # never celebrated: nobody moved it this week, the agency's history came in.
        IMPORTED = "imported", "Imported"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="stage_advances")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="advances")
    # Credited producer: the prospect's owner at the time of the move.
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="advances")
    moved_by = models.ForeignKey(Producer, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    # When the prospect entered the stage this move leaves: the time of its move before this
    # one (None for its first). With it, where a prospect stood at any moment and how long each
    # stay lasted are read from the move alone, not from a walk back along its ledger. Written
    # with the move (`prospect_advance`, imports) or by `stage_wins_replay` for bulk history;
    # PostgreSQL indexes the stay (migration 0012) for the open pipeline at a week's end.
    from_stage_entered_at = models.DateTimeField(null=True, blank=True)
    # Stages this move reached for the first time; `is_win` is `wins > 0`.
    wins = models.PositiveSmallIntegerField(default=0)
    is_win = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    # Process adherence (principle 5): did the move leave a scheduled next step, and did the
    # producer confirm the destination stage's definition of done?
    next_step = models.CharField(max_length=200, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    definition_confirmed = models.BooleanField(default=False)
    lost_reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.LIVE)
    # The prospect's line of business at the move, recorded like the lost reason: the
    # lost-reason report counts losses by line from the ledger alone (lost_report.py).
    line_of_business = models.CharField(max_length=16, blank=True, default="", db_default="")

    class Meta:
        ordering = ["occurred_at", "id"]
        get_latest_by = "occurred_at"
        constraints = [
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")),
                                   name="advance_changes_stage"),
            models.CheckConstraint(condition=Q(source="live") | Q(wins=0, is_win=False),
                                   name="advance_imported_never_wins"),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_at"]),
            # The lost-reason report: the moves into the Lost stage in a period, read from
            # the index alone.
            models.Index(fields=["agency", "to_stage", "occurred_at"],
                         include=["source", "lost_reason", "from_stage", "producer",
                                  "line_of_business"], name="advance_agency_to_stage_time"),
            models.Index(fields=["producer", "occurred_at"]),
            models.Index(fields=["prospect", "occurred_at"]),
            # The scorecard job's open pipeline at a week's end: each prospect's first move
            # after the week, per agency, without a sort (covering on PostgreSQL).
            models.Index(fields=["agency", "prospect", "occurred_at", "id"],
                         include=["from_stage"], name="advance_agency_prospect_time"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_id}: {self.from_stage_id} → {self.to_stage_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("The stage ledger is append-only; record a new move instead.")
        super().save(*args, **kwargs)


class StageWin(models.Model):
    """One stage a prospect reached for the first time, and the move that reached it: the rows
    every count of wins reads (scorecards, commitments, the funnel, the plan, the meeting).
    Unique per prospect and stage, so no stage is ever won twice, whatever the moves."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="stage_wins")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="stage_wins")
    advance = models.ForeignKey(StageAdvance, on_delete=models.CASCADE,
                                related_name="stage_wins")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="stage_wins")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["prospect", "stage"], name="stage_won_once"),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_at"]),
            models.Index(fields=["producer", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_id} won {self.stage_id}"


class ActivityType(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="activity_types")
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    icon = models.CharField(max_length=8, blank=True, help_text="A short emoji for the button.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"],
                                    name="activity_type_name_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    MAX_QUANTITY = 500

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CONNECTED = "connected", "Connected"
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left a message"
        BOOKED = "booked", "Meeting booked"
        NOT_INTERESTED = "not_interested", "Not interested"
        FOLLOW_UP = "follow_up", "Follow-up needed"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="activities")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="activities")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT,
                                      related_name="activities")
    prospect = models.ForeignKey(Prospect, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="activities")
    occurred_at = models.DateTimeField()
    quantity = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    note = models.CharField(max_length=300, blank=True)
    # A token per rendered quick-log button: a double tap sends the same token twice and is
    # counted once (unique per producer).
    client_token = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1) & Q(quantity__lte=500),
                                   name="activity_quantity_1_to_500"),
            models.UniqueConstraint(fields=["producer", "client_token"],
                                    name="activity_client_token_once",
                                    condition=Q(client_token__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_at"]),
            models.Index(fields=["producer", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.activity_type_id}"


class LostReason(models.Model):
    """One answer of the agency's short pick list for "why was it lost?". The prospect and its
    ledger row keep the chosen text (`lost_reason`), so renaming or retiring a reason never
    rewrites a past loss, and reports group by the text."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="lost_reasons")
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"],
                                    name="lost_reason_name_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One CSV file brought in by an owner or leader: uploaded, previewed, confirmed, run by a
    Celery task (pipeline/imports/), summarised.

    The file's text is kept in the database rather than under MEDIA_ROOT: the web process
    that receives it and the worker that applies it may run on different machines with no
    shared disk (ARCHITECTURE.md), and the upload limit (settings.IMPORT_MAX_BYTES) keeps a
    row small. The text is cleared once the job has finished; the error report stays."""

    class Kind(models.TextChoices):
        PEOPLE = "people", "People"
        PROSPECTS = "prospects", "Prospects"
        ACTIVITIES = "activities", "Past activities"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    filename = models.CharField(max_length=200, blank=True)
    csv_text = models.TextField(blank=True)
    # Field key → the column's header, as matched by name or chosen in the preview.
    mapping = models.JSONField(default=dict, blank=True)
    skip_bad_rows = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    # {"created": n, "updated": n, "skipped": n, "reasons": {reason: n}, "message": text}
    summary = models.JSONField(default=dict, blank=True)
    error_report = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
