"""Lists: a page of rows (two queries: the count and the page) and a time window."""

import datetime as dt
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Query, Schema

from salesculture.models import Agency

T = TypeVar("T")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Times outside these years are refused rather than carried to the database (a year-1 moment
# with an offset cannot even be turned into UTC).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# The largest id a column holds: a larger one in a filter is refused before a query sees it.
MAX_ID = 2**63 - 1


def id_param(description: str):
    """An optional id in the query string."""
    return Query(None, ge=1, le=MAX_ID, description=description)


class ListFilters(Schema):
    since: dt.datetime | None = Field(None, description="From this time on (ISO 8601; without an "
                                                        "offset: the agency's clock).")
    until: dt.datetime | None = Field(None, description="Before this time.")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="Rows in the whole list, over every page.")
    page: int
    next_page: int | None = Field(description="The next page's number; none after the last.")


def aware(value: dt.datetime | None, agency: Agency, field: str) -> dt.datetime | None:
    """A time as sent, on the agency's clock when it has no offset; refused far from now."""
    if value is None:
        return None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError({field: f"Give a time between {EARLIEST_YEAR} and {LATEST_YEAR}."})
    return value if timezone.is_aware(value) else timezone.make_aware(value, agency.tz)


def between(queryset: QuerySet, filters: ListFilters, *, agency: Agency,
            field: str) -> QuerySet:
    """Rows whose `field` (a time) is in [since, until)."""
    since = aware(filters.since, agency, "since")
    until = aware(filters.until, agency, "until")
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until})
    return queryset


def dates_between(queryset: QuerySet, filters: ListFilters, *, agency: Agency,
                  field: str) -> QuerySet:
    """Rows whose `field` (a date, such as a week's Monday) falls in [since, until) on the
    agency's calendar."""
    since = aware(filters.since, agency, "since")
    until = aware(filters.until, agency, "until")
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since.astimezone(agency.tz).date()})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until.astimezone(agency.tz).date()})
    return queryset


def page_of(queryset: QuerySet, filters: ListFilters, build=None) -> dict:
    """One page of an ordered queryset; `build` turns each row into its answer."""
    count = queryset.count()
    start = (filters.page - 1) * filters.page_size
    rows = list(queryset[start:start + filters.page_size]) if start < count else []
    return {"items": [build(row) for row in rows] if build else rows, "count": count,
            "page": filters.page,
            "next_page": filters.page + 1 if start + filters.page_size < count else None}
