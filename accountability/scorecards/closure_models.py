"""Which agency-weeks the rollover has closed (part of accountability's models)."""

from django.db import models

from salesculture.models import Agency


class WeekClosure(models.Model):
    """Marks an agency-week as closed: final scorecards, judged commitments, digests sent.

    Its unique constraint is what makes the rollover run exactly once when beat fires twice.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="week_closures")
    week_start = models.DateField()
    closed_at = models.DateTimeField()
    digests_sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "week_start"], name="close_week_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} week of {self.week_start} closed"
