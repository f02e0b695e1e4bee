"""The team page's board, rendered once per live version for everyone who sees it alike.

A board depends on its scope (a team, the people on no team, everyone), the week, its sort,
the live version of its scope, and a `Viewer` (the leaders' columns, whose rows link to a
drill-down): that is its cache key (`live.board_key`). It is rendered without the request,
from `_board.html`, so it holds nothing of one person: no CSRF token, no "you". `personalise`
then marks the viewer's own row and links their drill-down in the note to producers.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from salesculture.models import Producer, Team
from salesculture.selectors import teams_for
from salesculture.weeks import Week

from .links import board_links
from .live import BOARD_CACHE_SECONDS, board_cached, board_key
from .presenters import Row, Viewer
from .production import SORT_KEYS as PRODUCTION_SORT_KEYS
from .selectors import agency_summary, team_scorecard
from .summary import NO_TEAM

BOARD = "accountability/scorecards/_board.html"
# In a shared board, where the note to a producer links their own drill-down.
OWN_ROW_LINK = "<!--own-row-link-->"


@dataclass(frozen=True)
class Scope:
    """Whose board: one `team`, or (team None) everyone or the people on no team. `param`
    is the `team` parameter that names it: the team's id, "all" or "none"."""

    team: Team | None
    param: str

    @property
    def no_team(self) -> bool:
        return self.param == NO_TEAM


def shared_board(*, actor: Producer, scope: Scope, week: Week, version: int, sort: str = "",
                 desc: bool = False, rows_only: bool = False) -> SafeString:
    """The board (or, `rows_only`, one team's table as the whole-agency board opens it) at
    `version`, from the cache when someone who sees it alike had it rendered, marked for
    `actor`. `sort` is a valid sort key or ""."""
    viewer = Viewer.of(actor, team=scope.team, no_team=scope.no_team)
    if sort in PRODUCTION_SORT_KEYS and not viewer.full:
        sort = ""  # their columns are the leaders': no order that tells colleagues' premium
    desc = desc and bool(sort)
    key = board_key(actor.agency, "rows" if rows_only else "board", scope.param, version,
                    week.start, Week.current(actor.agency).start, sort, desc, viewer.full,
                    viewer.links)
    html = board_cached(key, lambda: _render(actor, scope, week, sort, desc, viewer,
                                             rows_only=rows_only))
    # Every piece was rendered, and escaped, by the board's own templates.
    return mark_safe(personalise(html, actor=actor, viewer=viewer, week=week))


def _render(actor: Producer, scope: Scope, week: Week, sort: str, desc: bool, viewer: Viewer,
            *, rows_only: bool) -> str:
    """The shared board: for the whole agency of several teams a line per team, else the
    rows; `actor` only stands for their `viewer` here (`personal=False`)."""
    context = {"team_param": scope.param, "full": viewer.full, "own_row_link": OWN_ROW_LINK}
    if scope.param == "all" and not rows_only:
        teams = list(teams_for(actor.agency))
        if len(teams) > 1:
            summary = agency_summary(agency=actor.agency, week=week.start, teams=teams)
            return _render_shared(BOARD + "#board", {
                **context, "board": summary, "summary": True,
                "links": board_links(summary, scope.param)})
    board = team_scorecard(actor=actor, week=week.start, team=scope.team, sort=sort,
                           desc=desc, no_team=scope.no_team, personal=False)
    rows_prerendered(board.rows, week=week.start, full=viewer.full)
    return _render_shared(BOARD + ("#rows" if rows_only else "#board"), {
        **context, "board": board, "links": board_links(board, scope.param),
        "frame_id": f"team-rows-{scope.param}-frame" if rows_only else "scorecard-frame"})


def _render_shared(name: str, context: dict) -> str:
    """The shared board's template, rendered without the request (as everywhere above) and
    without localising each number it prints: the app speaks one locale, whose numbers read
    as Python writes them (the board's money and percentages pass through its own filters),
    and a 50-row board prints some 2,500 of them. A test holds the two renderings equal."""
    return get_template(name).template.render(Context(context, use_l10n=False))


def row_fingerprint(row: Row, *, week, full: bool) -> str:
    """Everything a shared board's row (`_board.html#board_row`) shows, as a digest: two rows
    with the same fingerprint render the same. Not the row itself: its producer carries their
    team, whose live version changes with any change on the team."""
    producer, plan = row.producer, row.plan
    shown = (producer.pk, producer.name, producer.role, row.detail, row.is_me, row.week_ended,
             row.numbers, row.cells, row.trend, row.production,
             (plan.label, plan.label_reason, plan.get_label_display()) if plan else None,
             week, full)
    return hashlib.blake2b(pickle.dumps(shown, protocol=pickle.HIGHEST_PROTOCOL),
                           digest_size=16).hexdigest()


def rows_prerendered(rows: list[Row], *, week, full: bool) -> None:
    """Each row rendered, from the cache when a row showing the same was rendered lately: a
    change on a team (a version bump) changes one or two of its rows, and a 50-row board
    then renders those alone. Rows are cached by what they show, so a cached row is never
    out of date; `BOARD_CACHE_SECONDS` only bounds how long an unused one is kept."""
    keys = {"board-row:" + row_fingerprint(row, week=week, full=full): row for row in rows}
    found = cache.get_many(list(keys))
    template = get_template(BOARD + "#board_row").template
    fresh = {}
    for key, row in keys.items():
        html = found.get(key)
        if html is None:
            html = fresh[key] = template.render(Context(
                {"row": row, "board": {"week": week}, "full": full}, use_l10n=False))
        row.html = mark_safe(html)  # rendered, and escaped, by the row's own template
    if fresh:
        cache.set_many(fresh, BOARD_CACHE_SECONDS)


def personalise(html: str, *, actor: Producer, viewer: Viewer, week: Week) -> str:
    """The viewer's own parts of a shared board: their row marked "you" and linked to their
    drill-down, and the link in the note to a producer. Both come from the partials the
    board uses, so the shared row is found exactly (and nothing changes when the viewer is
    not on the board)."""
    if OWN_ROW_LINK in html:
        html = html.replace(OWN_ROW_LINK, render_to_string(
            BOARD + "#own_row_link", {"me": actor, "week": week.start}), 1)
    board = {"week": week.start}
    shared = render_to_string(BOARD + "#name_cell", {"board": board, "row": _own_row(
        actor, detail=viewer.links_to(actor), is_me=False)})
    if shared in html:
        html = html.replace(shared, render_to_string(BOARD + "#name_cell", {
            "board": board, "row": _own_row(actor, detail=True, is_me=True)}), 1)
    return html


def _own_row(actor: Producer, *, detail: bool, is_me: bool) -> SimpleNamespace:
    """What the name cell reads of a `presenters.Row`."""
    return SimpleNamespace(producer=actor, detail=detail, is_me=is_me,
                           is_leader=actor.is_leader)
