"""A bound prospect's premium and revenue count in the production numbers of the week it was
bound (accountability/scorecards/production.py): changing them later changes that week."""

from salesculture.jobs import weeks_changed
from salesculture.models import Agency

from .models import Stage, StageWin


def bound_weeks_changed(agency: Agency, prospect_ids: list[int]) -> None:
    """These prospects' premium or revenue changed. A bound prospect's money is in the
    production numbers of the week it was bound, on the card of whoever bound it: each such
    week is refreshed for them (and marks the later weeks that sum it). One query, and a
    mark per week."""
    if not prospect_ids:
        return
    weeks_changed(((agency.pk, bound_at, producer_id) for bound_at, producer_id in
                   StageWin.objects.filter(agency=agency, prospect_id__in=prospect_ids,
                                           stage__kind=Stage.Kind.WON)
                   .values_list("occurred_at", "producer_id")), agency=agency)
