from django.db.models import QuerySet
from django.http import Http404

from salesculture.models import Agency, Producer
from salesculture.selectors import producers_visible_to

from .models import Activity, ActivityType, Prospect, Stage


def stages_for(agency: Agency) -> QuerySet[Stage]:
    return Stage.objects.filter(agency=agency).order_by("position")


def stage_get(*, agency: Agency, stage_id) -> Stage:
    try:
        return Stage.objects.get(agency=agency, pk=int(stage_id))
    except (Stage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such stage.") from None


def active_activity_types(agency: Agency) -> QuerySet[ActivityType]:
    return ActivityType.objects.filter(agency=agency, is_active=True).order_by("position", "name")


def prospects_visible_to(actor: Producer) -> QuerySet[Prospect]:
    return (Prospect.objects.filter(agency=actor.agency,
                                    owner__in=producers_visible_to(actor).values("pk"))
            .select_related("stage", "owner__user"))


def prospect_get_visible(*, actor: Producer, prospect_id) -> Prospect:
    """The prospect with that id if the actor may see it; otherwise 404 (never 403, so ids
    of other agencies and colleagues are not confirmed to exist)."""
    try:
        return prospects_visible_to(actor).get(pk=int(prospect_id))
    except (Prospect.DoesNotExist, ValueError, TypeError):
        raise Http404("No such prospect.") from None


def activities_of(producer: Producer) -> QuerySet[Activity]:
    return (Activity.objects.filter(producer=producer)
            .select_related("activity_type", "prospect"))
