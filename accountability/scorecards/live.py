"""Live versions, and the boards rendered at each.

A page polls with the version of what it shows (`polls.py`): one team's board carries that
team's `live_version`, a board of the whole agency (or of the people on no team) the agency's.
The scorecard job bumps the agency's version on any change and, through
`live_versions_bump`, only the versions of the teams whose producers' cards or celebrations
changed, so an open team page re-renders only when something it shows changed.

A board is rendered once per version and cached (`board_cached`), keyed by everything it
depends on and nothing about the person looking: it is rendered without the request (no CSRF
token, no "you"), for a `Viewer` (the leaders' columns, whose rows link to a drill-down) that
many people share; the view marks the viewer's own row afterwards. Writes that change a board
without a refresh (a rename, a role or team change, a new goal plan) show within
`BOARD_CACHE_SECONDS`, as they did before on a reload; open pages see them at the next change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection

from salesculture.agency_cache import agency_key
from salesculture.models import Agency, Producer, Team

BOARD_CACHE_SECONDS = 60


def live_versions_bump(agency: Agency, producer_ids: Iterable[int]) -> None:
    """Bump the agency's live version (it covers the whole-agency board and producers on no
    team) and the live version of each of its teams with one of these producers; nothing
    when the set is empty. Plain SQL: the scorecard job bumps them on most of its runs, and
    the two querysets cost it more to build than to run."""
    ids = sorted({int(pk) for pk in producer_ids})
    if not ids:
        return
    agencies, teams = Agency._meta.db_table, Team._meta.db_table
    producers = Producer._meta.db_table
    theirs = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {agencies} SET live_version = live_version + 1 WHERE id = %s",
                       [agency.pk])
        cursor.execute(
            f"UPDATE {teams} SET live_version = live_version + 1 WHERE agency_id = %s AND id IN "
            f"(SELECT team_id FROM {producers} WHERE agency_id = %s AND id IN ({theirs}))",
            [agency.pk, agency.pk, *ids])


def scope_version(agency: Agency, team: Team | None) -> int:
    """The version a board of `team` (None: the whole agency, or the people on no team)
    renders at; no query, the team and agency rows are already loaded."""
    return team.live_version if team is not None else agency.live_version


def board_key(agency: Agency, *parts) -> str:
    """A cache key for a board of the agency (`agency_key`: it never outlives its agency)."""
    return agency_key("board", agency, *parts)


def board_cached(key: str, render: Callable[[], str]) -> str:
    """The rendered board under `key`, rendering (and storing) it on a miss."""
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, BOARD_CACHE_SECONDS)
    return html
