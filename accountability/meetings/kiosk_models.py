"""The meeting screen's read-only TV links (part of accountability's models)."""

from django.db import models

from salesculture.models import Agency, Producer, Team


class KioskLink(models.Model):
    """A read-only, unguessable, revocable link to one team's meeting screen."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="kiosk_links")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="kiosk_links")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(Producer, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Whoever holds the link sees what a colleague sees: no prospect (client) names, unless the
    # person who made the link chose to show them on this screen.
    show_prospect_names = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"Kiosk for team {self.team_id}"
