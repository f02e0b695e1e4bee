import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from salesculture.models import Agency, Producer
from salesculture.selectors import producers_visible_to
from salesculture.weeks import local_now

from .models import Activity, ActivityType, LostReason, Prospect, Stage, StageAdvance, StageWin
from .reads import (
    LISTED_FIELDS,
    active_activity_types_read,
    activity_counts_read,
    decorate_prospect,
    last_activity_read,
    next_steps_read,
    next_steps_summary_read,
    stage_wins_read,
    win_moves_read,
    xdates_near_read,
)
from .xdates import ORDER as XDATE_ORDER
from .xdates import WINDOW_DAYS as XDATE_WINDOW_DAYS
from .xdates import (
    xdate_candidates,
    xdates_needing_follow_up,
)


def stages_for(agency: Agency) -> QuerySet[Stage]:
    """Every stage, retired ones too: what history (ledgers, scorecards, the funnel) names."""
    return Stage.objects.filter(agency=agency).order_by("position")


def stages_offered(agency: Agency) -> QuerySet[Stage]:
    """The stages a prospect can be created in or moved to: the ones not retired."""
    return stages_for(agency).filter(retired_at__isnull=True)


def lost_reasons_offered(agency: Agency) -> list[str]:
    """The names of the agency's lost reasons in use, in the owner's order."""
    return list(LostReason.objects.filter(agency=agency, is_active=True)
                .order_by("position", "name").values_list("name", flat=True))



def active_activity_types(agency: Agency) -> list[ActivityType]:
    return active_activity_types_read(agency).run()


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




# --- The producer's board, prospect pages and week (issue 3) ---------------------------------
# Each function below is a fixed number of queries however many prospects or activities there
# are; the view tests pin that with 5 and with 200 prospects.


def agency_stage_get(*, agency: Agency, stage_id) -> Stage | None:
    """The agency's stage with that id, or None (a form then says so next to the field)."""
    try:
        return Stage.objects.filter(agency=agency, pk=int(stage_id)).first()
    except (ValueError, TypeError):
        return None




def board_columns(*, owner: Producer, line_of_business: str = "",
                  today: dt.date | None = None) -> list[dict]:
    """One column per open stage: its prospects (oldest in stage first), their count and total
    estimated revenue, and each card's days in stage and stale flag; each card's `next_stage` is
    the following open or won stage (so the last open column offers the one-tap win to Bound,
    as the prospect page does). Two queries."""
    every = list(Stage.objects.filter(agency=owner.agency).exclude(kind=Stage.Kind.LOST)
                 .order_by("position"))
    forward = [s for s in every if s.retired_at is None]
    prospects = (Prospect.objects.filter(agency=owner.agency, owner=owner,
                                         stage__kind=Stage.Kind.OPEN)
                 .select_related("stage").order_by("stage_entered_at", "id"))
    if line_of_business:
        prospects = prospects.filter(line_of_business=line_of_business)
    now = timezone.now()
    today = today or now.astimezone(owner.agency.tz).date()
    by_stage: dict[int, list[Prospect]] = {}
    for prospect in prospects:
        decorate_prospect(prospect, now=now, today=today)
        by_stage.setdefault(prospect.stage_id, []).append(prospect)
    columns = []
    # A retired stage keeps a column only while prospects still sit in it.
    stages = [s for s in every if s.kind == Stage.Kind.OPEN
              and (s.retired_at is None or by_stage.get(s.pk))]
    for stage in stages:
        cards = by_stage.get(stage.pk, [])
        following = [s for s in forward if s.position > stage.position]
        for card in cards:
            card.next_stage = following[0] if following else None
        columns.append({
            "stage": stage,
            "prospects": cards,
            "count": len(cards),
            "total": sum((p.estimated_revenue for p in cards), Decimal(0)),
        })
    return columns


def boards_switchable(actor: Producer) -> list[Producer]:
    """Whose board a leader can switch to: the active sellers they can see, by first name."""
    return list(producers_visible_to(actor).filter(is_active=True)
                .exclude(role="non_producer").order_by("user__first_name"))


def next_stage_of(prospect: Prospect) -> Stage | None:
    """The open or won stage right after the prospect's current one (never Lost)."""
    return (Stage.objects.filter(agency_id=prospect.agency_id, retired_at__isnull=True,
                                 position__gt=prospect.stage.position)
            .exclude(kind=Stage.Kind.LOST).order_by("position").first())


def prospect_history(prospect: Prospect) -> QuerySet[StageAdvance]:
    """The full stage history of one prospect, from the ledger, oldest first."""
    return (StageAdvance.objects.filter(prospect=prospect)
            .select_related("from_stage", "to_stage", "moved_by__user")
            .order_by("occurred_at", "id"))


def prospect_activities(prospect: Prospect, *, limit: int = 50) -> list[Activity]:
    return list(Activity.objects.filter(prospect=prospect)
                .select_related("activity_type", "producer__user")
                .order_by("-occurred_at", "-id")[:limit])


def prospects_owned_by(producer: Producer, *, open_only: bool = True) -> QuerySet[Prospect]:
    """A producer's own prospects, for the choices of a form (only theirs, never a colleague's)."""
    qs = Prospect.objects.filter(agency=producer.agency, owner=producer)
    if open_only:
        qs = qs.filter(stage__kind=Stage.Kind.OPEN)
    return qs.order_by("name")


def activity_counts_between(producer: Producer, start: dt.datetime,
                            end: dt.datetime) -> dict[int, int]:
    """{activity type id: quantity} for one producer in [start, end); one aggregate query.

    Read live from the ledger so a tap shows at once, before the scorecard job has run."""
    return activity_counts_read(producer, start, end).run()


def totals_in_ranges(producer: Producer,
                     ranges: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[int, int]]:
    """(activities, wins) of one producer in each [start, end) range; two aggregate queries
    however many rows or ranges."""
    if not ranges:
        return []
    earliest = min(start for start, _ in ranges)
    latest = max(end for _, end in ranges)

    def span(i):
        return Q(occurred_at__gte=ranges[i][0], occurred_at__lt=ranges[i][1])

    activities = Activity.objects.filter(
        producer=producer, occurred_at__gte=earliest, occurred_at__lt=latest).aggregate(
        **{f"r{i}": Sum("quantity", filter=span(i)) for i in range(len(ranges))})
    wins = StageAdvance.objects.filter(
        producer=producer, is_win=True, occurred_at__gte=earliest,
        occurred_at__lt=latest).aggregate(
        **{f"r{i}": Sum("wins", filter=span(i)) for i in range(len(ranges))})
    return [(activities[f"r{i}"] or 0, wins[f"r{i}"] or 0) for i in range(len(ranges))]


def stage_wins_between(producer: Producer, start: dt.datetime,
                       end: dt.datetime) -> dict[str, int]:
    """{stage id (as the scorecards key it): stage wins} of one producer in [start, end); one
    aggregate query."""
    return stage_wins_read(producer, start, end).run()


def wins_between(producer: Producer, start: dt.datetime, end: dt.datetime) -> list[StageAdvance]:
    """The producer's moves that won stages in [start, end), newest first; one query."""
    return win_moves_read(producer, start, end).run()


def next_steps_due(producer: Producer, *, limit: int = 20, today: dt.date | None = None,
                   only_today: bool = False) -> list[Prospect]:
    """Open prospects needing attention, today's first (the day's plan between appointments),
    then overdue, no next step scheduled, then later ones; `only_today` keeps just today's.
    One query, capped at `limit`, each row decorated (`decorate_prospect`)."""
    today = today or local_now(producer.agency).date()
    return next_steps_read(producer, today=today, limit=limit, only_today=only_today).run()[0]


def next_steps_with_summary(producer: Producer, *, limit: int = 20,
                            today: dt.date | None = None) -> tuple[list[Prospect],
                                                                   dict[str, int]]:
    """`next_steps_due` and `next_steps_summary` together, in one query."""
    today = today or local_now(producer.agency).date()
    return next_steps_read(producer, today=today, limit=limit, summary=True).run()


def next_steps_summary(producer: Producer, *, today: dt.date | None = None) -> dict[str, int]:
    """How many open prospects are overdue, due today and without a next step, over all of
    them (the list above is capped); one aggregate query."""
    today = today or local_now(producer.agency).date()
    return next_steps_summary_read(producer, today=today).run()


def last_undoable_activity(producer: Producer, *, seconds: int) -> Activity | None:
    """The producer's latest activity if it can still be undone (logged within `seconds`)."""
    return last_activity_read(producer, since=timezone.now() - dt.timedelta(seconds=seconds)).run()


def activity_get_own(*, producer: Producer, activity_id) -> Activity:
    try:
        return (Activity.objects.select_related("activity_type")
                .get(producer=producer, pk=int(activity_id)))
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity.") from None


def activity_types_of(agency: Agency) -> QuerySet[ActivityType]:
    """All of the agency's activity types, retired ones included, so a form can say that a
    retired type is no longer in use instead of "not a valid choice"."""
    return ActivityType.objects.filter(agency=agency).order_by("position", "name")


# --- the owners' settings of the sales process (issue 13) ---------------------------------------


def stages_with_use(agency: Agency) -> list[Stage]:
    """Every stage in order, each with `in_use` (named by a prospect or a ledger row: it can be
    retired, not deleted) and `prospects_in` (live prospects sitting in it): one query."""
    named_by_prospect = Prospect.all_objects.filter(
        Q(stage=OuterRef("pk")) | Q(furthest_stage=OuterRef("pk")))
    named_by_move = StageAdvance.objects.filter(
        Q(from_stage=OuterRef("pk")) | Q(to_stage=OuterRef("pk")))
    sitting = (Prospect.objects.filter(stage=OuterRef("pk")).order_by()
               .values("stage").annotate(n=Count("pk")).values("n"))
    return list(stages_for(agency).annotate(
        in_use=Exists(named_by_prospect) | Exists(named_by_move)
        | Exists(StageWin.objects.filter(stage=OuterRef("pk"))),
        prospects_in=Coalesce(Subquery(sitting), 0)))


def stage_get(*, agency: Agency, stage_id) -> Stage:
    try:
        return Stage.objects.get(agency=agency, pk=int(stage_id))
    except (Stage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such stage.") from None


def listed_rows(model, agency: Agency) -> list:
    """An agency's activity types or lost reasons, in order, retired ones included."""
    return list(model.objects.filter(agency=agency).order_by("position", "name", "pk"))


def listed_get(model, *, agency: Agency, row_id):
    try:
        return model.objects.get(agency=agency, pk=int(row_id))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such row.") from None


def lost_by_reason(agency: Agency) -> list[tuple[str, int]]:
    """How many of the agency's prospects are lost for each reason given (the stored text, so a
    reason renamed since keeps its old name here), most first: one query."""
    return list(Prospect.objects.filter(agency=agency, stage__kind=Stage.Kind.LOST)
                .exclude(lost_reason="").values("lost_reason").annotate(n=Count("pk"))
                .order_by("-n", "lost_reason").values_list("lost_reason", "n"))


def xdates_coming(producer: Producer, *, today: dt.date,
                  within_days: int = XDATE_WINDOW_DAYS,
                  near: list[Prospect] | None = None) -> list[Prospect]:
    """The producer's open prospects whose X-date window is open and who have no next step
    inside it (pipeline/xdates.py), soonest X-date first; one query, or none when `near`
    (`xdates_near`, read already) is given."""
    if near is not None:
        rows = [p for p in near if p.stage.kind == Stage.Kind.OPEN]
    else:
        rows = (Prospect.objects.filter(agency=producer.agency, owner=producer)
                .filter(xdate_candidates(today, within_days=within_days))
                .select_related("stage").only(*LISTED_FIELDS).order_by(*XDATE_ORDER))
    return xdates_needing_follow_up(rows, today)


def xdates_near(producer: Producer, *, today: dt.date) -> list[Prospect]:
    """The producer's prospects, the bound ones aside, whose X-date window is open today
    (the X-date from today to XDATE_WINDOW_DAYS ahead): My week draws both its X-date lists
    from them (`xdates_coming`, and the morning list's windows opened since the last working
    day). One query, in the X-date lists' `ORDER` (pipeline/xdates.py)."""
    return xdates_near_read(producer, today=today).run()
