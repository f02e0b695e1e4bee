"""Counting a request's queries, for the tests that pin a page's query count as the data grows.

`queries_of(client.get, url)` returns the run's `Queries`; they compare by count, and when an
`assert small == large` fails pytest prints both runs' SQL (tests/conftest.py), so the query
that grew with the data is on screen. `counting()` does the same for any block of code.
"""

import functools
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@functools.total_ordering
@dataclass(eq=False)
class Queries:
    sql: list[str]
    status: int | None = None

    @property
    def count(self) -> int:
        return len(self.sql)

    def _other(self, other) -> int:
        return other.count if isinstance(other, Queries) else other

    def __eq__(self, other) -> bool:
        return self.count == self._other(other)

    def __lt__(self, other) -> bool:
        return self.count < self._other(other)

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"{self.count} queries"

    def __format__(self, spec: str) -> str:
        return format(self.count, spec)


def queries_of(call, *args, ok=(200,), **kwargs) -> Queries:
    """Run `call(*args, **kwargs)` (a test client's get or post) and count its queries; the
    response must answer one of the `ok` statuses (None: any)."""
    with CaptureQueriesContext(connection) as ctx:
        response = call(*args, **kwargs)
    if ok:
        assert response.status_code in ok, (response.status_code, response.content[:300])
    return Queries([q["sql"] for q in ctx.captured_queries], response.status_code)


class counting:  # noqa: N801 - used as `with counting() as run:`, like a function
    """`with counting() as run: ...` then `run.queries`."""

    def __enter__(self):
        self._ctx = CaptureQueriesContext(connection).__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self.queries = Queries([q["sql"] for q in self._ctx.captured_queries])
        return False
