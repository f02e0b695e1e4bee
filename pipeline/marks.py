"""The weeks a prospect edit changes, marked for the scorecard job (salesculture/jobs.py): by
the app's edit (`prospect_update`) and by one in the admin alike."""

from salesculture.jobs import agency_week_changed
from salesculture.weeks import Week

from .models import Prospect
from .repricing import bound_weeks_changed


def prospect_edit_marks(*, before: dict, prospect: Prospect) -> None:
    """A prospect edited (`before`: `prospect_audit_snapshot` of it). Its value is in its
    owner's open pipeline: handed over, it leaves one and joins another; repriced, it changes
    the production of the week it was bound."""
    agency_week_changed(agency_id=prospect.agency_id, when=Week.current(prospect.agency).start,
                        producer_ids=[before["owner"][0], prospect.owner_id])
    if any(before[f] != getattr(prospect, f) for f in ("premium", "estimated_revenue")):
        bound_weeks_changed(prospect.agency, [prospect.pk])
