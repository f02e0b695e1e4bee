"""Step 1 of the scorecard job: an agency-week as the ledgers tell it, read in a fixed number of
set-based queries (the same for 3 producers or 3,000).

Every query starts from the agency (or its producers, or its stages) and the week's bounds, so
an agency pays for its own rows only, however many other agencies share the database; the
indexes added for them are in pipeline/migrations/0005 and accountability/migrations/0004.
"""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from pipeline.models import Prospect, Stage, StageAdvance, StageWin
from salesculture.models import Agency
from salesculture.raw import Read, as_stored, converted, only, reads_run
from salesculture.weeks import Week

from ..models import WeekClosure
from .funnel_tally import funnel_tally_read
from .people import selling_producers_of_week_read
from .production import quoting_stage
from .stored_cards import StoredCard, stored_cards
from .tallies import (
    activity_counts_read,
    celebrated_read,
    earlier_production_read,
    funnel_week_read,
    week_commitments_read,
    wins_tally_read,
)


@dataclass
class WeekSnapshot:
    """The agency-week as the ledgers tell it, each field read over the whole agency at once."""

    agency: Agency
    week: Week
    final: bool
    now: dt.datetime
    producers: dict[int, dict]  # the selling producers on the week's board, by id
    activity_counts: dict[int, dict[str, int]]  # producer → activity type id → quantity
    wins_by_stage: dict[int, dict[str, int]]  # producer → stage id → stages won
    funnel: dict[int, dict]  # producer → the card's funnel field
    moves: dict[int, dict]  # producer → winning moves, adherent, uncelebrated; the latest's time
    new_wins: list[dict]  # winning moves not celebrated yet, oldest first, with the stages won
    commitments: list[dict]
    open_pipeline: dict[int, dict]  # producer → open prospects (n, value) at the week's end
    check_ins: dict[int, dict]
    previous_best: dict[int, int]  # producer → most wins in any earlier week
    stored: dict[int, StoredCard]  # producer → this week's scorecard as it is stored now
    bound: dict[int, dict]  # producer → this week's policies bound: n, premium, revenue
    earlier: dict[int, dict]  # producer → the stored earlier weeks' production, summed
    quoting_stage_id: int | None
    funnel_week: dict | None  # the agency's funnel week as it is stored now
    celebrated: dict[str, tuple]  # source key → (id, title, detail) of the week's non-wins
    # A partial refresh's producers, the only ones read (None: everyone's, the whole week).
    producer_ids: frozenset[int] | None = None

    @property
    def quoting_stage_key(self) -> str | None:
        """The quoting stage as the cards' `wins_by_stage` keys it (None: no quoting stage)."""
        return None if self.quoting_stage_id is None else str(self.quoting_stage_id)


def week_snapshot(agency: Agency, week: Week, final: bool | None,
                  producer_ids: frozenset[int] | None = None) -> WeekSnapshot:
    """The week as the ledgers tell it; only these producers' rows when `producer_ids`."""
    start, end = week.bounds
    ids = producer_ids
    now = timezone.now()
    stage_rows, *closed = reads_run(_stages_read(agency),
                                    *([_closed_read(agency, week)] if final is None else []))
    final = closed[0] if closed else final
    stages = {s.pk: s.kind for s in stage_rows}
    quoting = quoting_stage(stage_rows)
    open_ids = [pk for pk, kind in stages.items() if kind == Stage.Kind.OPEN]
    (producers, counts, (wins_by_stage, moves, bound), funnel, commitments, open_pipeline,
     earlier, funnel_week, celebrated) = reads_run(
        selling_producers_of_week_read(agency, week, ids),
        activity_counts_read(agency, start, end, ids),
        wins_tally_read(agency, stages, start, end, ids),
        funnel_tally_read(agency, start, end, ids),
        week_commitments_read(agency, week, ids),
        _open_pipeline_read(agency, open_ids, end, ids),
        earlier_production_read(agency, week, ids),
        funnel_week_read(agency, week),
        celebrated_read(agency, week, ids))
    check_ins = {pid: {"producer_id": pid, **p["check_in"]}
                 for pid, p in producers.items() if p["check_in"]}
    previous_best = {pid: p["best"] for pid, p in producers.items() if p["best"] is not None}
    stored = stored_cards(agency, week, {pid: p["card_stamp"] for pid, p in producers.items()
                                         if p["card_stamp"] is not None})
    producers = _on_the_board(producers, counts, {**funnel, **moves},
                              commitments, open_pipeline, check_ins)
    return WeekSnapshot(
        agency=agency, week=week, final=final, now=now, producers=producers,
        activity_counts=counts, wins_by_stage=wins_by_stage, funnel=funnel,
        moves=moves,
        new_wins=_new_wins(agency, week, [
            pid for pid, m in moves.items() if m["uncelebrated"] and pid in producers]),
        commitments=commitments,
        open_pipeline=open_pipeline, check_ins=check_ins,
        previous_best=previous_best, stored=stored,
        bound=bound, earlier=earlier, funnel_week=funnel_week, celebrated=celebrated,
        quoting_stage_id=quoting.pk if quoting else None, producer_ids=ids)


def _stages_read(agency: Agency) -> Read[list[SimpleNamespace]]:
    return Read(f"SELECT id, kind, position FROM {Stage._meta.db_table} WHERE agency_id = %s",
                [agency.pk], lambda rows: [SimpleNamespace(pk=pk, kind=kind, position=position)
                                           for pk, kind, position in rows])


def _closed_read(agency: Agency, week: Week) -> Read[bool]:
    """Whether the week has been closed (its commitments judged)."""
    return Read(f"SELECT 1 FROM {WeekClosure._meta.db_table} WHERE agency_id = %s "
                "AND week_start = %s",
                [agency.pk, connection.ops.adapt_datefield_value(week.start)], bool)


def _on_the_board(producers: dict[int, dict],
                  activity_counts: dict, moves: dict, commitments: list[dict],
                  open_pipeline: dict, check_ins: dict) -> dict[int, dict]:
    """The producers who get a card for the week: everyone who had joined by its end, and
    anyone the ledgers place in it (history imported for someone added later). A week that
    ended before someone joined gets no card: a card of zeros would count as a week they sold
    nothing, in their averages, their drill-down and their digest."""
    recorded = {*activity_counts, *moves, *(c["producer_id"] for c in commitments),
                *open_pipeline, *check_ins}
    return {pid: p for pid, p in producers.items() if p["joined"] or pid in recorded}


def _new_wins(agency: Agency, week: Week, producer_ids: list[int]) -> list[dict]:
    """The week's winning moves of these producers that have no celebration yet, oldest
    first, each with `stages` (and `stage_names`): the stages it reached for the first time,
    in the path's order. A celebrated move is never read again: a busy week costs each
    refresh only its news, and none when there is none."""
    if not producer_ids:
        return []
    start, end = week.bounds
    moves: dict[int, dict] = {}
    for row in (StageWin.objects.filter(agency=agency, occurred_at__gte=start,
                                        occurred_at__lt=end, producer_id__in=producer_ids)
                .exclude(advance__celebration__isnull=False)
                .values("advance_id", "producer_id", "occurred_at", "stage_id", "stage__name",
                        "advance__to_stage__name", "advance__to_stage__kind",
                        "prospect__name")
                .order_by("occurred_at", "advance_id", "stage__position")):
        move = moves.setdefault(row["advance_id"], {
            "id": row["advance_id"], "producer_id": row["producer_id"],
            "occurred_at": row["occurred_at"], "prospect__name": row["prospect__name"],
            "to_stage__name": row["advance__to_stage__name"],
            "to_stage__kind": row["advance__to_stage__kind"], "stages": [], "stage_names": []})
        move["stages"].append(row["stage_id"])
        move["stage_names"].append(row["stage__name"])
    return list(moves.values())


def _stays_under_way(alias: str) -> tuple[str, int]:
    """The agency's moves whose stay held a moment: the prospect entered the stage the move
    leaves before it (or at no known time: the move is the first its ledger holds) and left
    at or after it. Two parameters: the agency, the moment (twice on SQLite). On PostgreSQL
    the stay as a range, which the GiST index of migration pipeline/0012 answers with the few
    thousand stays under way (its expression word for word, and the agency as the bigint it
    is there, or the index cannot lead with it); SQLite compares the two times."""
    if connection.vendor == "postgresql":
        return (f"{alias}.agency_id = %s::bigint AND {STAY_RANGE.format(alias=alias)} "
                "@> %s::timestamptz", 1)
    return (f"{alias}.agency_id = %s AND {alias}.occurred_at >= %s AND "
            f"({alias}.from_stage_entered_at IS NULL OR {alias}.from_stage_entered_at < %s)", 2)


# A move's stay as PostgreSQL's range, as migration pipeline/0012 indexes it: from when the
# prospect entered the stage it leaves (any time before, when unknown) to the move.
STAY_RANGE = ("tstzrange(LEAST(COALESCE({alias}.from_stage_entered_at, '-infinity'), "
              "{alias}.occurred_at), {alias}.occurred_at, '(]')")


def _open_pipeline_read(agency: Agency, open_ids: list[int], end: dt.datetime,
                        producer_ids=None) -> Read[dict[int, dict]]:
    """Open pipeline as it stood at the week's end, so a past week keeps its own number rather
    than today's; per owner, the number of prospects open then and their estimated revenue.
    A deleted prospect left it when it was deleted: a week that ended before keeps it.

    Where a prospect stood at a moment, read without walking its whole ledger: a prospect
    not moved since then still stands where it stands now, and one moved since stood where
    its first move since then started from: the move whose stay (from the move before it to
    it) held the moment. Both hold because `prospect_advance` writes the move and the
    prospect's stage together under the prospect's lock, the move starting from the stage it
    found. So the current week reads the open prospects and nothing else, and a past week
    also reads the stays under way at its end: never the walk of every prospect's ledger that
    a latest-move-before-the-end subquery costs, nor the sort of every move since.

    Raw SQL for the range lookup the stay index answers (`_stays_under_way`); it runs on
    PostgreSQL and SQLite."""
    if not open_ids:  # no open stage: nothing stands open (IN (NULL) matches no row)
        open_ids = [None]
    ops = connection.ops
    at_end = ops.adapt_datetimefield_value(end)
    prospect, advance = Prospect._meta.db_table, StageAdvance._meta.db_table
    # The open stages as values rather than a join on their kind: the planner then knows how
    # many prospects stand in them and reads those through the stage index.
    is_open = ", ".join(["%s"] * len(open_ids))
    mine_only, their_ids = only("p.owner_id", producer_ids)
    under_way, moments = _stays_under_way("a")
    sql = f"""
        SELECT owner_id, COUNT(*), SUM(estimated_revenue) FROM (
            SELECT p.owner_id, p.estimated_revenue FROM {prospect} p
            WHERE p.agency_id = %s AND p.stage_id IN ({is_open})
              AND (p.deleted_at IS NULL OR p.deleted_at >= %s){mine_only}
              AND NOT EXISTS (SELECT 1 FROM {advance} a WHERE a.agency_id = %s
                              AND a.prospect_id = p.id AND a.occurred_at >= %s)
            UNION ALL
            SELECT p.owner_id, p.estimated_revenue FROM {advance} a
            JOIN {prospect} p ON p.id = a.prospect_id
            WHERE {under_way} AND a.from_stage_id IN ({is_open})
              AND (p.deleted_at IS NULL OR p.deleted_at >= %s){mine_only}
        ) open_at_end GROUP BY owner_id"""
    params = [agency.pk, *open_ids, at_end, *their_ids, agency.pk, at_end,
              agency.pk, *[at_end] * moments, *open_ids, at_end, *their_ids]
    return Read(sql, params, _open_pipeline)


def _open_pipeline(rows: list[tuple]) -> dict[int, dict]:
    # The sum comes back as the ORM would return it (a Decimal, also on SQLite).
    return {owner_id: {"owner_id": owner_id, "n": n, "value": value} for owner_id, n, value
            in converted(rows, {2: as_stored(Prospect, "estimated_revenue")})}
