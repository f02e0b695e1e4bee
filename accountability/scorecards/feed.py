"""The wins feed as every page shows it (components/wins_feed.html)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Celebration

# A wins feed shows this many; a longer list (a past week's) folds the rest away.
FEED_SHOWN = 12


@dataclass
class FeedPage:
    """A feed's first `FEED_SHOWN` wins, and the rest (folded away on a phone)."""

    shown: list[Celebration]
    rest: list[Celebration]

    @classmethod
    def of(cls, celebrations: list[Celebration]) -> FeedPage:
        celebrations = list(celebrations)
        return cls(shown=celebrations[:FEED_SHOWN], rest=celebrations[FEED_SHOWN:])


def newest_id(celebrations) -> int:
    """The newest celebration a page shows: a poll's `seen`, so larger ids are new."""
    return max((c.pk for c in celebrations), default=0)


def win_text(celebration: Celebration, *, hide_prospects: bool, viewer) -> str:
    """What a win says to the viewer: a producer reads the stage a colleague's prospect
    reached, not the prospect (their own wins, and celebrations without an advance, whole)."""
    if (hide_prospects and celebration.stage_advance_id
            and celebration.producer_id != getattr(viewer, "pk", None)):
        return (f"{celebration.producer.name} moved a prospect to "
                f"{celebration.stage_advance.to_stage.name}")
    return celebration.title
