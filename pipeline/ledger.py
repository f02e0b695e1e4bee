"""The stage ledger's derived parts: when the stay a new move ends began, and the replay of
history written in bulk.

When the stay a new move ends began: the time of the prospect's move before it, read from
the stage ledger itself (`StageAdvance.from_stage_entered_at`). Not from the prospect's
`stage_entered_at`, which says the same as long as nothing but moves has set it: the ledger is
what the scorecards' past weeks and the funnel's stays are read from, so it is what the stamp
must agree with. Each read walks one step back along the (prospect, time) index."""

import datetime as dt

from django.db import transaction
from django.db.models import Max

from salesculture.agency_cache import PAST_MOVES, agency_changed

from .models import Prospect, Stage, StageAdvance, StageWin
from .wins import replay


def last_move_at(prospect_id: int, moment: dt.datetime) -> dt.datetime | None:
    """The time of the prospect's latest move at or before `moment` (None for none): for a
    move made at `moment`, under the prospect's lock."""
    return (StageAdvance.objects.filter(prospect_id=prospect_id, occurred_at__lte=moment)
            .order_by("-occurred_at", "-id").values_list("occurred_at", flat=True).first())


def last_moves_at(prospect_ids: list[int]) -> dict[int, dt.datetime]:
    """{prospect id: the time of its latest move} for these prospects, in one query (an
    import moving many at once, under their locks)."""
    return dict(StageAdvance.objects.filter(prospect_id__in=prospect_ids)
                .values("prospect_id").annotate(at=Max("occurred_at")).order_by()
                .values_list("prospect_id", "at"))


def stage_wins_replay(*, prospects) -> int:
    """Judge again every move of these prospects (a queryset) by the win rule, from their
    ledgers oldest first, and stamp each with when its prospect entered the stage it leaves:
    for history written in bulk (the demo, the benchmark, tests) or before the rule. Live
    moves never need it: `prospect_advance` applies the rule and the stamp as it writes.
    Returns the number of stage wins the ledgers hold."""
    prospect_ids = list(prospects.values_list("pk", flat=True))
    stages = {s.pk: s for s in Stage.objects.filter(
        agency_id__in=prospects.values("agency_id"))}
    moves: dict[int, list[StageAdvance]] = {}
    for advance in (StageAdvance.objects.filter(prospect_id__in=prospect_ids)
                    .order_by("prospect_id", "occurred_at", "id")):
        moves.setdefault(advance.prospect_id, []).append(advance)
    changed, wins, furthest_of = [], [], {}
    for prospect_id, ledger in moves.items():
        won, furthest_of[prospect_id] = replay(
            list(stages.values()),
            [(a.pk, stages.get(a.from_stage_id), stages[a.to_stage_id]) for a in ledger])
        entered_at = None
        for advance in ledger:
            advance.wins, advance.is_win = len(won[advance.pk]), bool(won[advance.pk])
            advance.from_stage_entered_at = entered_at if advance.from_stage_id else None
            entered_at = advance.occurred_at
            changed.append(advance)
            wins += [StageWin(agency_id=advance.agency_id, prospect_id=prospect_id,
                              advance=advance, producer_id=advance.producer_id, stage=stage,
                              occurred_at=advance.occurred_at) for stage in won[advance.pk]]
    with transaction.atomic():
        # The judgement is derived from the ledger; rewriting it leaves every move as it was.
        StageAdvance.objects.bulk_update(changed, ["wins", "is_win", "from_stage_entered_at"],
                                         batch_size=1000)
        StageWin.objects.filter(prospect_id__in=prospect_ids).delete()
        StageWin.objects.bulk_create(wins, batch_size=1000)
        Prospect.objects.bulk_update(
            [Prospect(pk=pk, furthest_stage=stage) for pk, stage in furthest_of.items()],
            ["furthest_stage"], batch_size=1000)
        for agency_id in {advance.agency_id for advance in changed}:
            agency_changed(agency_id, PAST_MOVES)  # past moves judged anew, in bulk
    return len(wins)
