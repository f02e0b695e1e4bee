"""Reads of the audit trail: the owners' history page, one agency at a time."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import Http404

from .audit_presenters import AuditLine, audit_line
from .forms import options_html
from .models import Agency, AuditEvent, Producer
from .selectors import person_name

AUDIT_PAGE_SIZE = 50


@dataclass
class AuditTrail:
    """One page of an agency's events, newest first, and the filters that chose them."""

    agency: Agency
    page: Page
    lines: list[AuditLine]
    people: list[tuple[int, str]]
    kinds: list[tuple[str, str]]
    person: int | None = None
    kind: str = ""
    filters: dict = field(default_factory=dict)

    @property
    def person_options(self) -> str:
        return options_html(self.people, {str(self.person)})

    def page_query(self, number: int) -> str:
        """The query string of another page under the same filters."""
        return "?" + urlencode({**self.filters, "page": number})

    @property
    def newer_query(self) -> str:
        return self.page_query(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def older_query(self) -> str:
        return self.page_query(self.page.next_page_number()) if self.page.has_next() else ""


def audit_people(agency: Agency) -> list[tuple[int, str]]:
    """Everyone of the agency as (id, label) for the person picker, deactivated people and
    non-producers included: they have history too. One query, as bare rows: an owner of 500
    had 500 people built with their users for a list of names."""
    return [(pk, person_name(first, last, username) + ("" if active else " (deactivated)"))
            for pk, first, last, username, active in Producer.objects.filter(agency=agency)
            .order_by("user__first_name", "user__last_name", "pk")
            .values_list("pk", "user__first_name", "user__last_name", "user__username",
                         "is_active")]


def audit_trail(*, agency: Agency, person: str = "", kind: str = "",
                page: str | None = None) -> AuditTrail:
    """The agency's events, newest first, 50 a page, of one person (`person`: a producer id)
    and one kind when given. A person who is not the agency's, or a kind that does not exist,
    is a 404, as any wrong id is. Three queries however many events there are: the people,
    the count, the page."""
    people = audit_people(agency)
    chosen = None
    if person:
        chosen = next((pk for pk, _ in people if str(pk) == person), None)
        if chosen is None:
            raise Http404("No such person.")
    if kind and kind not in AuditEvent.Kind.values:
        raise Http404("No such kind of change.")
    events = AuditEvent.objects.filter(agency=agency)
    if chosen is not None:
        events = events.filter(actor_id=chosen)
    if kind:
        events = events.filter(kind=kind)
    shown = Paginator(events.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(page)
    filters = {k: v for k, v in (("person", person), ("kind", kind)) if v}
    return AuditTrail(agency=agency, page=shown, lines=[audit_line(e) for e in shown],
                      people=people, kinds=AuditEvent.Kind.choices, person=chosen, kind=kind,
                      filters=filters)
