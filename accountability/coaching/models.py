"""The coaching loop's rows: one-on-ones, their agreed actions, and leader-alert dismissals.
Part of accountability's one set of models (imported by accountability/models.py); other
models are named by label so this module needs nothing of that one at import time."""

from django.db import models
from django.db.models import Q

from salesculture.models import Agency, Producer


class OneOnOne(models.Model):
    """A leader's coaching conversation with one producer: the leader's notes, the agreed
    actions (accountability.coaching turns them into next week's commitments), the producer's
    own side and when to follow up. Seen only by the producer, their leaders and owners."""

    class Outcome(models.TextChoices):
        NONE = "", "No decision recorded"
        KEEP_COACHING = "keep_coaching", "Keep and coach"
        CHANGE_ROLE = "change_role", "Change role"
        PART_WAYS = "part_ways", "Part ways"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="one_on_ones")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE,
                                 related_name="one_on_ones")
    leader = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True,
                               related_name="one_on_ones_led")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    producer_notes = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    # The role-fit weeks (Mondays, ISO text) that started this conversation; [] when it was
    # not started from a role-fit flag.
    role_fit_weeks = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    # One per rendered form: a double submit records one conversation.
    client_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "client_token"],
                                    condition=Q(client_token__isnull=False),
                                    name="one_on_one_client_token_once"),
        ]
        indexes = [
            models.Index(fields=["agency", "producer", "held_on"], name="one_on_one_producer"),
        ]

    def __str__(self) -> str:
        return f"One-on-one with {self.producer_id} on {self.held_on}"


class OneOnOneAction(models.Model):
    """One action agreed in a one-on-one; `commitment` once it became a promise for a week."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200)
    commitment = models.OneToOneField("accountability.Commitment", on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="one_on_one_action")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class AlertDismissal(models.Model):
    """A leader's "seen it" on one alert (rule) about one producer, for one week only: if the
    cause is still there next week the alert comes back."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=24)
    week_start = models.DateField()
    note = models.CharField(max_length=200)
    dismissed_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    dismissed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["producer", "rule", "week_start"],
                                    name="one_dismissal_per_producer_rule_week"),
        ]
        indexes = [models.Index(fields=["agency", "week_start"], name="alert_dismissal_week")]

    def __str__(self) -> str:
        return f"{self.rule} for {self.producer_id}, week of {self.week_start}"
