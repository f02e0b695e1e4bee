from django.db import models
from django.db.models import Q

from salesculture.models import Agency, Producer, Team


class Obstacle(models.Model):
    """Something in a producer's way ("carrier X won't quote restaurants") that the team
    clears together. It belongs to a team and stays on every meeting's "Clear the path" until
    its owner closes it with a resolution."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="obstacles")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="obstacles")
    text = models.CharField(max_length=200)
    # Whose way it blocks (the producer whose turn it was), and who clears it.
    raised_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    owner = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="obstacles_owned")
    due_date = models.DateField()
    raised_at = models.DateTimeField()
    raised_in = models.ForeignKey("accountability.Meeting", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="obstacles_raised")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    cleared_in = models.ForeignKey("accountability.Meeting", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="obstacles_cleared")
    resolution = models.CharField(max_length=500, blank=True)
    # One per rendered "raise" form: a double submit raises it once.
    client_token = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        app_label = "accountability"
        ordering = ["raised_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | ~Q(resolution=""),
                                   name="obstacle_closed_with_resolution"),
            models.UniqueConstraint(fields=["team", "client_token"],
                                    condition=Q(client_token__isnull=False),
                                    name="obstacle_client_token_once"),
        ]
        indexes = [models.Index(fields=["team", "closed_at"], name="obstacle_team_open")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
