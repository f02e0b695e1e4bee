"""The weeks a write changes, for the scorecard job (salesculture/jobs.py), when the write is
made outside the services that mark them as they write: an edit in the admin. Without a mark a
past week keeps its old numbers (the safety refresh redoes only the current week)."""

from collections.abc import Iterable

from salesculture.jobs import agency_week_changed
from salesculture.models import Agency
from salesculture.weeks import Week

from .models import Activity, Prospect
from .repricing import bound_weeks_changed


def prospect_edit_marks(*, before: dict, prospect: Prospect) -> None:
    """A prospect edited (`before`: `prospect_audit_snapshot` of it). Its value is in its
    owner's open pipeline: handed over, it leaves one and joins another; repriced, it changes
    the production of the week it was bound."""
    agency_week_changed(agency_id=prospect.agency_id, when=Week.current(prospect.agency).start,
                        producer_ids=[before["owner"][0], prospect.owner_id])
    if any(before[f] != getattr(prospect, f) for f in ("premium", "estimated_revenue")):
        bound_weeks_changed(prospect.agency, [prospect.pk])


def activities_changed(activities: Iterable[Activity]) -> None:
    """These activities were added, edited (the row as it was and as it is) or deleted: each
    week they fall in is marked for the producers they belong to."""
    weeks: dict[tuple[int, object], set[int]] = {}
    agencies: dict[int, Agency] = {}
    for activity in activities:
        agency = agencies.get(activity.agency_id) or agencies.setdefault(
            activity.agency_id, Agency.objects.get(pk=activity.agency_id))
        week = Week.of(agency, activity.occurred_at).start
        weeks.setdefault((agency.pk, week), set()).add(activity.producer_id)
    for (agency_id, week), producer_ids in sorted(weeks.items()):
        agency_week_changed(agency_id=agency_id, when=week, producer_ids=producer_ids)
