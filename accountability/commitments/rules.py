"""How a commitment is judged: pure rules over the week's ledger counts, no database.

The scorecard job, my week, the commitments page, the team board and the digest all judge a
commitment through these functions, so the same week reads the same everywhere.
"""

import datetime as dt

from ..models import Commitment


def commitment_actual(commitment: dict, activity_counts: dict, wins_by_stage: dict,
                      wins: int) -> int:
    """What actually happened against one commitment, from the ledgers' weekly counts."""
    kind = commitment["kind"]
    if kind == Commitment.Kind.ACTIVITY:
        return activity_counts.get(str(commitment["activity_type_id"]), 0)
    if kind == Commitment.Kind.STAGE_WINS:
        if commitment["stage_id"]:
            return wins_by_stage.get(str(commitment["stage_id"]), 0)
        return wins
    return 1 if commitment["self_reported_done"] else 0


def commitment_target(commitment: dict) -> int:
    return 1 if commitment["kind"] == Commitment.Kind.SPECIFIC else commitment["target"]


def counts_toward_total(commitment: dict) -> bool:
    # A measurable commitment of zero promises nothing: it is shown grey, not green.
    return commitment_target(commitment) > 0


def week_has_started(week_begins: dt.datetime, now: dt.datetime) -> bool:
    """Once its week has started a commitment stands: it can no longer be changed or
    withdrawn, and one made from then on is late rather than planned ahead."""
    return now >= week_begins
