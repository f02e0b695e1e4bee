"""Finding a prospect by its name, contact, phone or email, among the prospects the searcher
may see (their own; a leader's team; an owner's agency). Deleted prospects never match."""

from dataclasses import dataclass, field

from django.db.models import Q

from salesculture.models import Producer

from .models import Prospect
from .phones import phone_digits
from .selectors import prospects_visible_to

SEARCH_LIMIT = 20
# A search box answers as one types: one letter matches half the book, so it waits for two.
SEARCH_MIN_LENGTH = 2
# "555" alone is in every other number; a phone is matched from this many digits.
PHONE_MIN_DIGITS = 4
QUERY_MAX_LENGTH = 100


@dataclass
class SearchResults:
    query: str
    prospects: list[Prospect] = field(default_factory=list)
    has_more: bool = False
    too_short: bool = False

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.too_short


def search_query_clean(raw: str | None) -> str:
    return " ".join((raw or "").split())[:QUERY_MAX_LENGTH]


def search_matches(query: str) -> Q:
    """A prospect whose name, contact, email or phone number holds `query` (a cleaned one):
    on PostgreSQL answered by the trigram index over those four (pipeline migration 0010)."""
    matches = (Q(name__icontains=query) | Q(contact_name__icontains=query)
               | Q(email__icontains=query))
    digits = phone_digits(query)
    if len(digits) >= PHONE_MIN_DIGITS:
        matches |= Q(phone_digits__contains=digits)
    return matches


def prospect_search(*, actor: Producer, query: str, limit: int = SEARCH_LIMIT) -> SearchResults:
    """The first `limit` matches, by name, and whether there are more: one query however many
    prospects match (it fetches one row past the limit to know)."""
    query = search_query_clean(query)
    if len(query) < SEARCH_MIN_LENGTH:
        return SearchResults(query=query, too_short=bool(query))
    rows = list(prospects_visible_to(actor).filter(search_matches(query))
                .order_by("name", "pk")[: limit + 1])
    return SearchResults(query=query, prospects=rows[:limit], has_more=len(rows) > limit)
