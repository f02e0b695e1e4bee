"""A stage win told to the agency's webhooks, by the move that won it (services.py)."""

from salesculture.models import Producer
from salesculture.webhooks import webhook_event_publish

from .models import Prospect, Stage, StageAdvance
from .presenters import advance_message


def stage_win_publish(prospect: Prospect, advance: StageAdvance, won: list[Stage]) -> None:
    """The win to the agency's webhooks, in the move's transaction (sent after commit)."""
    owner = Producer.objects.select_related("user").get(pk=prospect.owner_id)
    text, _ = advance_message(prospect, advance)
    webhook_event_publish(agency_id=prospect.agency_id, event="stage.win", text=text, data={
        "prospect": {"id": prospect.pk, "name": prospect.name},
        "producer": {"id": owner.pk, "name": owner.name},
        "to_stage": {"id": advance.to_stage.pk, "name": advance.to_stage.name},
        "stages_won": [{"id": stage.pk, "name": stage.name} for stage in won],
        "wins": advance.wins, "occurred_at": advance.occurred_at.isoformat()})
