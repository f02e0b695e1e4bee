"""Helpers of plain-SQL reads (the scorecard job's tallies, the small reads of My week): their
rows, several sent at once, their moments as the database compares them, and the columns
brought back to what the ORM would have returned (on SQLite a timestamp or a decimal comes
back as text or a float; on PostgreSQL as it is, so nothing is converted there)."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model

try:  # libpq 14 or later, as psycopg's binary package brings (PostgreSQL only)
    from psycopg import Pipeline
except ImportError:  # no psycopg: SQLite alone
    Pipeline = None

T = TypeVar("T")


def rows_of(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Read(Generic[T]):
    """A query and what its rows become, kept apart so that several can be sent at once
    (`reads_run`)."""

    sql: str
    params: list
    rows_to: Callable[[list], T]

    def run(self) -> T:
        """This read alone."""
        return self.rows_to(rows_of(self.sql, self.params))


def reads_run(*reads: Read) -> list[Any]:
    """What each read's rows become, the queries sent together: on PostgreSQL in one
    pipeline, so the server runs each while the rows of the one before travel back (one
    round trip instead of seven: 2–3 ms of the scorecard job's 50 ms of reads at 500
    producers); one after another elsewhere."""
    if (connection.vendor != "postgresql" or len(reads) < 2 or Pipeline is None
            or not Pipeline.is_supported()):
        return [read.rows_to(rows_of(read.sql, read.params)) for read in reads]
    # The cursors first: a new one may check the connection's health, which takes a query.
    cursors = [connection.cursor() for _ in reads]
    try:
        # A failing query's error comes with its rows, through Django's cursor (as its own).
        with connection.connection.pipeline():
            for cursor, read in zip(cursors, reads, strict=True):
                cursor.execute(read.sql, read.params)
            rows = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [read.rows_to(each) for read, each in zip(reads, rows, strict=True)]


def reads_grouped(groups: dict[str, list[Read]]) -> dict[str, list]:
    """`reads_run` of every group's reads at once; {name: what the group's reads became}."""
    results = iter(reads_run(*(read for reads in groups.values() for read in reads)))
    return {name: [next(results) for _ in reads] for name, reads in groups.items()}


def moments(start: dt.datetime, end: dt.datetime) -> list:
    return [connection.ops.adapt_datetimefield_value(start),
            connection.ops.adapt_datetimefield_value(end)]


def moment_of_text(text: str | None) -> dt.datetime | None:
    """A timestamp the query cast to text (`CAST(... AS TEXT)`), as the ORM would return it:
    PostgreSQL spells it with its offset (the connection's time zone is UTC), SQLite in UTC
    without one. Parsed by the standard library's C code: Django's own loader of PostgreSQL
    timestamps is Python, a few microseconds a row."""
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def as_stored(model, field: str) -> Callable | None:
    """A column of `model` as the ORM would return it; None when this database returns it so
    already."""
    column = model._meta.get_field(field).get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(column)
    if not converters:
        return None

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def converted(rows: list, columns: dict[int, Callable | None]) -> list:
    """The rows with these columns converted (`as_stored`), as lists; the rows themselves
    when no column needs it (on PostgreSQL, none does)."""
    columns = {i: convert for i, convert in columns.items() if convert is not None}
    if not columns:
        return rows
    result = []
    for row in rows:
        row = list(row)
        for i, convert in columns.items():
            row[i] = convert(row[i])
        result.append(row)
    return result


def json_decoded(rows: list[list], columns: list[int]) -> list[list]:
    """The rows with these columns (JSON text, or None) decoded in place, by one json.loads
    of them all as one array: two thousand small documents a refresh, and each call's own
    overhead cost json.loads as much as the decoding (5.6 → 2.8 ms)."""
    texts = [row[i] for row in rows for i in columns if row[i] is not None]
    decoded = iter(json.loads(f"[{','.join(texts)}]"))
    for row in rows:
        for i in columns:
            if row[i] is not None:
                row[i] = next(decoded)
    return rows


def among(column: str, ids: list) -> tuple[str, list]:
    """`column IN (...)` and its parameters; false for no ids (SQL has no empty list)."""
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def only(column: str, producer_ids) -> tuple[str, list]:
    """`AND column IN (...)` and its parameters, to read these producers' rows alone (a
    partial refresh); nothing when `producer_ids` is None (everyone's)."""
    if producer_ids is None:
        return "", []
    sql, ids = among(column, sorted(producer_ids))
    return f" AND {sql}", ids


class Columns:
    """Some of a model's columns in a plain query (`sql`, under the query's `alias` of its
    table) and the model instances made from them, as the ORM would have made them (the
    columns left out are deferred). For pages of small reads: building and compiling an ORM
    query took 0.3–0.8 ms apiece, more than running it."""

    def __init__(self, model: type[Model], alias: str, fields: tuple[str, ...] = ()):
        meta = model._meta
        self.model = model
        # In the model's order, as `Model.from_db` takes them; the primary key always.
        wanted = {meta.get_field(name).attname for name in fields} | {meta.pk.attname}
        self.fields = [field for field in meta.concrete_fields
                       if not fields or field.attname in wanted]
        self.attnames = [field.attname for field in self.fields]
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in self.fields)
        self.width = len(self.fields)
        self._converters: dict[str, dict[int, list]] = {}

    def converters(self) -> dict[int, list]:
        """{position: what turns the column into the ORM's value} on this database, the
        compiler's backend converters then the field's (a JSON document is decoded)."""
        vendor = connection.vendor
        if vendor not in self._converters:
            found = {}
            for i, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                every = (connection.ops.get_db_converters(column)
                         + column.get_db_converters(connection))
                if every:
                    found[i] = [(converter, column) for converter in every]
            self._converters[vendor] = found
        return self._converters[vendor]

    def instance(self, row, at: int = 0) -> Model:
        """The instance made of `row[at:at + width]`."""
        values = list(row[at:at + self.width])
        for i, converters in self.converters().items():
            for converter, column in converters:
                values[i] = converter(values[i], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def related(instance: Model, name: str, value: Model | None) -> Model:
    """`instance` with its foreign key `name` already holding `value`, as `select_related`
    leaves it (reading it costs no query)."""
    instance._meta.get_field(name).set_cached_value(instance, value)
    return instance


def day(value: dt.date) -> Any:
    """A date as this database compares it."""
    return connection.ops.adapt_datefield_value(value)
