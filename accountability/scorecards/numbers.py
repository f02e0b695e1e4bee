"""The headline numbers of a producer-week, shared by the team scorecard, the drill-down and
the weekly digest, so each reads "wins", "kept" and "kept %" the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from salesculture.numbers import half_up

from ..models import WeeklyScorecard

# A judged week with less than this share of its commitments kept shows red.
KEPT_LOW_PCT = 50


def kept_all(kept: int, kept_of: int) -> bool | None:
    """True: kept every commitment; False: missed some; None: made none."""
    return kept >= kept_of if kept_of else None


@dataclass(frozen=True)
class CardNumbers:
    """A scorecard's headline numbers, read the same way on the board, the drill-down and the
    digest. No scorecard (nothing recorded yet) reads as zeros; `total` adds several up."""

    wins: int = 0
    activities: int = 0
    kept: int = 0
    kept_of: int = 0
    open_count: int = 0
    open_value: Decimal = Decimal(0)

    @classmethod
    def of(cls, card: WeeklyScorecard | None) -> CardNumbers:
        if card is None:
            return cls()
        return cls(wins=card.wins, activities=card.activities_total,
                   kept=card.commitments_kept, kept_of=card.commitments_total,
                   open_count=card.pipeline_open_count, open_value=card.pipeline_open_value)

    @classmethod
    def total(cls, numbers: Iterable[CardNumbers]) -> CardNumbers:
        numbers = list(numbers)
        return cls(wins=sum(n.wins for n in numbers),
                   activities=sum(n.activities for n in numbers),
                   kept=sum(n.kept for n in numbers), kept_of=sum(n.kept_of for n in numbers),
                   open_count=sum(n.open_count for n in numbers),
                   open_value=sum((n.open_value for n in numbers), Decimal(0)))

    @property
    def kept_pct(self) -> int | None:
        return int(half_up(100 * self.kept / self.kept_of)) if self.kept_of else None

    @property
    def kept_all(self) -> bool | None:
        """True: kept every commitment; False: missed some; None: made none."""
        return kept_all(self.kept, self.kept_of)

    @property
    def kept_text(self) -> str:
        """“3/4”, or a dash when no commitment counted."""
        return f"{self.kept}/{self.kept_of}" if self.kept_of else "–"

    def kept_class(self, *, judged: bool) -> str:
        """"good" when every commitment was kept; "bad" when a judged week kept too few."""
        if not self.kept_of:
            return ""
        if self.kept == self.kept_of:
            return "good"
        return "bad" if judged and self.kept_pct < KEPT_LOW_PCT else ""
