import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .zones import time_zone_names


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Chicago.")


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]


def default_working_weeks() -> int:
    """A new agency's working weeks per year: the instance's WORKING_WEEKS_PER_YEAR setting,
    which the owner then changes on the agency's settings page."""
    return int(settings.SALESCULTURE.get("WORKING_WEEKS_PER_YEAR", 48))


def default_closed_weekdays() -> list[int]:
    return [5, 6]  # Saturday and Sunday


class Agency(models.Model):
    """The tenant. Nothing of one agency is ever visible to another."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago",
                                 validators=[validate_time_zone])
    # Bumped when materialised numbers change: a poll that finds it unchanged renders nothing.
    live_version = models.PositiveBigIntegerField(default=0)
    # What the goal-to-plan divides a year by (holidays and time off taken out).
    working_weeks_per_year = models.PositiveSmallIntegerField(
        default=default_working_weeks,
        validators=[MinValueValidator(1, "Enter a number of weeks between 1 and 52."),
                    MaxValueValidator(52, "Enter a number of weeks between 1 and 52.")])
    meeting_weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, default=0, help_text="The day of the weekly accountability meeting.")
    meeting_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5, "A meeting lasts between 5 and 240 minutes."),
                    MaxValueValidator(240, "A meeting lasts between 5 and 240 minutes.")])
    # Days nobody is sent a morning list: weekdays (0 = Monday) and dates ("2026-12-25").
    closed_weekdays = models.JSONField(default=default_closed_weekdays, blank=True)
    closed_dates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=80)
    # Bumped by the scorecard job when a card or celebration of one of the team's producers
    # changed (`live_versions_bump`): the team's open boards re-render only then.
    live_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Producer(models.Model):
    """A person of an agency. Leaders and owners sell too unless set to non-producer."""

    class Role(models.TextChoices):
        PRODUCER = "producer", "Producer"
        LEADER = "leader", "Leader"
        OWNER = "owner", "Owner"
        NON_PRODUCER = "non_producer", "Non-producer"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="producer")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="producers")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="members")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PRODUCER)
    why = models.TextField(blank=True, help_text="Your personal reason. It is never the money.")
    annual_goal = models.DecimalField(max_digits=12, decimal_places=2, default=0,
                                      help_text="Annual new-revenue goal in dollars.")
    is_active = models.BooleanField(default=True)
    digest_enabled = models.BooleanField(default=True,
                                         help_text="Receive the weekly email digest.")
    # The morning list by email (opt-in) at this local hour: set on their Notifications page.
    morning_list_enabled = models.BooleanField(default=False, editable=False)
    morning_list_hour = models.PositiveSmallIntegerField(
        default=7, editable=False, validators=[MaxValueValidator(23, "Choose an hour, 0 to 23.")])
    created_at = models.DateTimeField(auto_now_add=True)
    # Stored in each session at login; raising it ends every session ("Log out everywhere").
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(annual_goal__gte=0),
                                   name="producer_goal_not_negative"),
        ]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def sells(self) -> bool:
        return self.is_active and self.role != self.Role.NON_PRODUCER

    @property
    def is_leader(self) -> bool:
        return self.role in (self.Role.LEADER, self.Role.OWNER)

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class MorningListSent(models.Model):
    """A producer's morning list of one local day, claimed before it is sent: its unique
    constraint is what keeps a beat that fires twice from sending a second one."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["producer", "local_date"],
                                               name="morning_list_once_a_day")]

    def __str__(self) -> str:
        return f"{self.producer_id} {self.local_date}"


class DirtyWeek(models.Model):
    """An agency-week that a write changed and no scorecard refresh has caught up with yet: the
    outbox between a write and the scorecard job. `producer`: whose card alone the write can
    change; none: anyone's (the refresh redoes the whole agency-week).

    Written in the writer's own transaction, so a change is never lost between the database and
    the broker. Insert-only, so concurrent writers never wait on each other: a refresh deletes
    exactly the rows it saw first; a write committed while it ran keeps its week dirty."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="dirty_weeks")
    week_start = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True)
    producer = models.ForeignKey(Producer, models.SET_NULL, null=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["agency", "week_start"], name="dirty_week_agency_week")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.week_start}"


class AuditEvent(models.Model):
    """Who changed what and when: one append-only row per change, written by the services in
    their own transaction (salesculture/audit.py `audit_record`) and never updated.

    The subject is named by type, id and a label copied at write time, not by a foreign key,
    so the row outlives what it is about (a withdrawn commitment, a deleted person). `changes`
    is {field: [before, after]} in plain JSON values; it never holds a password hash, a
    session or a TV link's token (a link is named by its label and id)."""

    class Kind(models.TextChoices):
        PROSPECT_EDITED = "prospect.edited", "Prospect edited"
        PROSPECT_OWNER_CHANGED = "prospect.owner_changed", "Prospect given to someone else"
        PROSPECT_DELETED = "prospect.deleted", "Prospect deleted"
        COMMITMENT_CREATED = "commitment.created", "Commitment made"
        COMMITMENT_WITHDRAWN = "commitment.withdrawn", "Commitment withdrawn"
        COMMITMENT_TICKED = "commitment.ticked", "Promise ticked done"
        COMMITMENT_UNTICKED = "commitment.unticked", "Promise unticked"
        GOAL_CHANGED = "goal.changed", "Goal changed"
        WHY_CHANGED = "why.changed", "Why changed"
        ROLE_CHANGED = "role.changed", "Role changed"
        PRODUCER_DEACTIVATED = "producer.deactivated", "Person deactivated"
        PRODUCER_REACTIVATED = "producer.reactivated", "Person reactivated"
        TV_LINK_CREATED = "tv_link.created", "TV link created"
        TV_LINK_REVOKED = "tv_link.revoked", "TV link revoked"
        AGENCY_CREATED = "agency.created", "Agency created"
        INVITATION_SENT = "invitation.sent", "Invitation sent"
        INVITATION_RESENT = "invitation.resent", "Invitation sent again"
        INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
        INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
        AGENCY_CHANGED = "agency.changed", "Agency settings changed"
        STAGE_ADDED = "stage.added", "Stage added"
        STAGE_CHANGED = "stage.changed", "Stage changed"
        STAGE_MOVED = "stage.moved", "Stage moved"
        STAGE_RETIRED = "stage.retired", "Stage retired"
        STAGE_RESTORED = "stage.restored", "Stage brought back"
        STAGE_DELETED = "stage.deleted", "Stage deleted"
        ACTIVITY_TYPE_ADDED = "activity_type.added", "Activity type added"
        ACTIVITY_TYPE_CHANGED = "activity_type.changed", "Activity type changed"
        ACTIVITY_TYPE_MOVED = "activity_type.moved", "Activity type moved"
        ACTIVITY_TYPE_RETIRED = "activity_type.retired", "Activity type retired"
        ACTIVITY_TYPE_RESTORED = "activity_type.restored", "Activity type brought back"
        LOST_REASON_ADDED = "lost_reason.added", "Lost reason added"
        LOST_REASON_CHANGED = "lost_reason.changed", "Lost reason changed"
        LOST_REASON_MOVED = "lost_reason.moved", "Lost reason moved"
        LOST_REASON_RETIRED = "lost_reason.retired", "Lost reason retired"
        LOST_REASON_RESTORED = "lost_reason.restored", "Lost reason brought back"
        TEAM_ADDED = "team.added", "Team added"
        TEAM_RENAMED = "team.renamed", "Team renamed"
        PRODUCER_TEAM_CHANGED = "producer.team_changed", "Moved to another team"
        API_TOKEN_CREATED = "api_token.created", "API token created"
        API_TOKEN_REVOKED = "api_token.revoked", "API token revoked"
        WEBHOOK_CREATED = "webhook.created", "Webhook added"
        WEBHOOK_DELETED = "webhook.deleted", "Webhook removed"
        ONE_ON_ONE_RECORDED = "one_on_one.recorded", "One-on-one recorded"
        ONE_ON_ONE_UPDATED = "one_on_one.updated", "One-on-one updated"
        ONE_ON_ONE_ANSWERED = "one_on_one.answered", "Producer's side of a one-on-one added"
        ALERT_DISMISSED = "alert.dismissed", "Leader alert dismissed"
        OBSTACLE_RAISED = "obstacle.raised", "Obstacle raised"
        OBSTACLE_CLEARED = "obstacle.cleared", "Obstacle cleared"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="audit_events")
    # SET_NULL: removing a person keeps the history of what they did; `actor_label` keeps
    # their name. No actor: a change made in the admin by someone outside the agency.
    actor = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=160, blank=True)
    at = models.DateTimeField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject_type = models.CharField(max_length=64)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=240, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["agency", "at"], name="audit_agency_at"),
            models.Index(fields=["agency", "actor", "at"], name="audit_agency_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("The audit trail is append-only; record a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit trail is append-only; its rows are never deleted.")


class Invitation(models.Model):
    """An email invitation to join an agency: the invitee opens its one-time link, sets a
    password, and becomes a Producer with the role, team and goal chosen here.

    Only a SHA-256 of the link's token is stored, so the table read by someone else (a backup,
    the admin) opens no account. A link works while the invitation is pending: not accepted,
    not revoked, and younger than `expires_at`; sending it again replaces the token, so the
    old link dies."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)  # stored lower-case: one person, one address
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Producer.Role.choices,
                            default=Producer.Role.PRODUCER)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    annual_goal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Who the invitation became, once accepted.
    producer = models.OneToOneField(Producer, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="invitation")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # One open invitation per address in an agency: a second one is a resend.
            models.UniqueConstraint(
                fields=["agency", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email"),
            models.CheckConstraint(condition=models.Q(annual_goal__gte=0),
                                   name="invitation_goal_not_negative"),
        ]
        indexes = [models.Index(fields=["agency", "accepted_at"],
                                name="invitation_agency_accepted")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def is_expired(self, now) -> bool:
        return now >= self.expires_at


class ApiToken(models.Model):
    """A personal token for the JSON API (`Authorization: Bearer <token>`): it acts as its
    producer, with their agency and role. Only a SHA-256 of the secret is stored; the secret
    is shown once, when the token is made. A revoked token never works again."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Webhook(models.Model):
    """An owner's outgoing webhook: the chosen events of the agency are POSTed to `url`,
    signed with `secret` (HMAC-SHA256 of the timestamp and body), as plain JSON or as a
    Slack- or Microsoft Teams-compatible message."""

    class Format(models.TextChoices):
        JSON = "json", "Plain JSON"
        SLACK = "slack", "Slack-compatible"
        TEAMS = "teams", "Microsoft Teams-compatible"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # Kept as is: the receiver checks the signature with it, so it cannot be a hash.
    secret = models.CharField(max_length=64, editable=False)
    events = models.JSONField(default=list)
    body_format = models.CharField(max_length=8, choices=Format.choices, default=Format.JSON)
    created_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        RETRYING = "retrying", "Failed; retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed; gave up"
        REFUSED = "refused", "Refused: private address"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "created_at"],
                                name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id}"
