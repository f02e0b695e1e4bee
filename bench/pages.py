"""The pages, timed in this process through Django's test client: logged in, the full
middleware, warm (a few requests first), then `repeat` timed requests each. Every page is
compared with the trivial view (bench/urls.py), one request of which is timed before each of
the page's; the query count is of one request, counted at the connection (execute_wrapper)."""

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import clear_url_caches, set_urlconf
from django.utils import timezone

from accountability.models import Meeting
from accountability.planning.rolefit import agency_judged_keep
from bench.populate import username
from bench.report import Figure
from salesculture.agency_cache import (
    CHECK_INS,
    HISTORY,
    PEOPLE,
    PLANS,
    agency_changed,
    past_move_topics,
)
from salesculture.models import Agency, Producer, Team

WARM = 3
PAGE_RATIO, POLL_RATIO = 5.0, 1.5
OWNER_BOARD_MS, OWNER_BOARD_KB = 150, 200
POLLER = re.compile(r'hx-get="([^"]+)"')


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Cast:
    agency: Agency
    owner: Producer
    leader: Producer
    producer: Producer
    meeting: Meeting | None


def cast_of(agency: Agency) -> Cast:
    def who(role: str, number: int = 1) -> Producer:
        return Producer.objects.select_related("user", "team").get(
            user__username=username(agency.slug, role, number))

    leader = who("leader")
    meeting = (Meeting.objects.filter(team=leader.team, ended_at__isnull=True)
               .order_by("-week_start").first())
    return Cast(agency, who("owner"), leader, who("producer"), meeting)


@dataclass
class Timing:
    median: float  # ms
    p95: float
    queries: int
    kb: float
    status: int
    floor: float | None = None  # the trivial view's median, sampled between these requests


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def measure(client: Client, path: str, params: Callable[[], dict] | None = None, *,
            repeat: int, htmx: bool = False, before: Callable[[], None] | None = None,
            floor: Callable[[], float] | None = None) -> Timing:
    """`before` runs ahead of each request, untimed (e.g. a change for a poll to find);
    `floor`, a request of the trivial view timed between the page's own, so that the page
    and its floor see the same machine (it is shared: one's load comes and goes)."""
    headers = {"HX-Request": "true"} if htmx else {}

    def get():
        if before is not None:
            before()
        query = params() if params else None
        started = time.perf_counter()
        response = client.get(path, query, headers=headers)
        return response, (time.perf_counter() - started) * 1000

    for _ in range(WARM):
        get()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response, _ = get()
    samples, floors = [], []
    for _ in range(repeat):
        if floor is not None:
            floors.append(floor())
        samples.append(get()[1])
    return Timing(statistics.median(samples), percentile(samples, 95), counter.count,
                  len(response.content) / 1024, response.status_code,
                  statistics.median(floors) if floors else None)


def poller(html: str, prefix: str) -> tuple[str, dict] | None:
    """The path and query of the page's poller whose path starts with `prefix`."""
    for url in POLLER.findall(html):
        parts = urlsplit(unescape(url))
        if parts.path.startswith(prefix):
            return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
    return None


class Pages:
    def __init__(self, cast: Cast, repeat: int):
        settings.ROOT_URLCONF = "bench.urls"
        set_urlconf(None)
        clear_url_caches()
        self.cast = cast
        self.repeat = repeat
        self.clients: dict[str, Client] = {}
        self.timings: dict[str, Timing] = {}

    def client(self, who: str) -> Client:
        if who not in self.clients:
            # A page that fails answers 500 here, as it would to a person, and is reported.
            client = Client(raise_request_exception=False, headers={"Accept": "text/html"})
            client.force_login(getattr(self.cast, who).user,
                               backend="django.contrib.auth.backends.ModelBackend")
            self.clients[who] = client
        return self.clients[who]

    def figure(self, name: str, who: str, path: str, params: Callable[[], dict] | None = None,
               *, poll: str = "", expect: int = 200,
               before: Callable[[], None] | None = None) -> Figure:
        timing = measure(self.client(who), path, params, repeat=self.repeat,
                         htmx=bool(poll), before=before, floor=self.floor_sample)
        self.timings[name] = timing
        ratio_max = POLL_RATIO if poll == "unchanged" else PAGE_RATIO
        ok = timing.status == expect
        note = "" if ok else f"answered {timing.status}, not {expect}"
        return Figure(name, timing.median if ok else None, "ms", floor=timing.floor,
                      p95=timing.p95, queries=timing.queries, kb=timing.kb, note=note,
                      goal=f"≤ {ratio_max:g}× floor", ratio_max=ratio_max)

    def floor_sample(self) -> float:
        client = self.client("producer")
        started = time.perf_counter()
        client.get("/bench/floor/")
        return (time.perf_counter() - started) * 1000

    def missing(self, name: str, why: str) -> Figure:
        return Figure(name, None, "ms", note=why)

    def figures(self) -> list[Figure]:
        floor = measure(self.client("producer"), "/bench/floor/", repeat=self.repeat * 2)
        self.timings["trivial view (floor)"] = floor
        note = "alone; each page's floor is sampled between its own requests"
        figures = [Figure("trivial view (floor)", floor.median, "ms", p95=floor.p95,
                          queries=floor.queries, kb=floor.kb,
                          note=note if floor.status == 200 else f"answered {floor.status}")]
        figures += self._boards()
        figures += self._pages()
        figures += self._polls()
        return figures

    def _boards(self) -> list[Figure]:
        owner = self.figure("team board, owner (whole agency)", "owner", "/team/")
        owner.goal, owner.value_max = f"≤ {PAGE_RATIO:g}× floor, < {OWNER_BOARD_MS} ms", \
            OWNER_BOARD_MS
        size = Figure("team board, owner: page size",
                      owner.kb if owner.value is not None else None, "kB",
                      goal=f"< {OWNER_BOARD_KB} kB", value_max=OWNER_BOARD_KB)
        # The board is rendered once per version and shared: the first view after a change
        # renders it, the others read it.
        first = self.figure("team board, owner, first view after a change", "owner", "/team/",
                            before=self._bump)
        first.goal, first.value_max = owner.goal, OWNER_BOARD_MS
        return [owner, size, first,
                self.figure("team board, leader (own team)", "leader", "/team/"),
                self.figure("team board, producer (own team)", "producer", "/team/")]

    def _pages(self) -> list[Figure]:
        cast = self.cast
        figures = [
            self.figure("my week, producer", "producer", "/week/"),
            # What the page asks for once its lower part scrolls into view (htmx).
            self.figure("my week, producer: below the fold", "producer", "/week/more/",
                        poll="part"),
            self.figure("pipeline board, producer", "producer", "/pipeline/"),
            self.figure("commitments, producer", "producer", "/commitments/"),
            self.figure("plan, producer", "producer", "/plan/"),
            self.figure("funnel, owner (agency)", "owner", "/funnel/",
                        lambda: {"scope": "agency"}),
            self.figure("role fit, owner", "owner", "/role-fit/"),
            # Kept between changes to what it reads (salesculture/agency_cache.py); a
            # quick-log or a move of this week is none of them. Everyone's judgement is made
            # again by what changed it (the scorecard job, the plans, a goal saved).
            self.figure("role fit, owner, first view after a finished week changed", "owner",
                        "/role-fit/", before=self._job_change(HISTORY)),
            # A person saved (a profile, a team move) changes every kept figure's key: the
            # view computes everything, as the first one of a page nobody opened lately.
            self.figure("role fit, owner, first view after a person changed", "owner",
                        "/role-fit/", before=self._kept_bump(PEOPLE)),
            self.figure("drill-down, leader", "leader",
                        f"/team/producer/{cast.producer.pk}/"),
        ]
        if cast.meeting is not None:
            figures.append(self.figure("meeting screen, leader", "leader",
                                       f"/meeting/{cast.meeting.pk}/"))
        return figures + self._owners_pages()

    def _owners_pages(self) -> list[Figure]:
        """The pages an owner of 500 opens less often, each of which once listed everyone."""
        team = Team.objects.filter(agency=self.cast.agency).order_by("pk").first()
        return [
            self.figure("people (settings), owner", "owner", "/settings/people/"),
            self.figure("teams (settings), owner", "owner", "/settings/teams/"),
            self.figure("a team of 50 (settings), owner", "owner", f"/settings/teams/{team.pk}/"),
            self.figure("agency settings, owner", "owner", "/settings/agency/"),
            self.figure("search as one types, owner", "owner", "/search/",
                        lambda: {"q": "harr"}),
            self.figure("lost reasons, owner (13 weeks)", "owner", "/pipeline/lost-reasons/"),
            # Today's losses are counted on every view; a loss of an earlier day (recorded
            # late, undone after its day) makes its week counted again: the stamps it bumps.
            self.figure("lost reasons, owner, first view after a late loss", "owner",
                        "/pipeline/lost-reasons/", before=self._kept_bump(*past_move_topics(
                            timezone.now() - dt.timedelta(days=10)))),
            self.figure("lost reasons, owner, first view after a person changed", "owner",
                        "/pipeline/lost-reasons/", before=self._kept_bump(PEOPLE)),
            self.figure("lost reasons, leader (13 weeks)", "leader", "/pipeline/lost-reasons/"),
            self.figure("leader alerts, owner", "owner", "/alerts/"),
            # A check-in recomputes the confidence rule; a finished week's cards or the plans
            # (the close of a week, the nightly plans) the rules that read them.
            self.figure("leader alerts, owner, first view after a check-in", "owner",
                        "/alerts/", before=self._kept_bump(CHECK_INS)),
            self.figure("leader alerts, owner, first view after a week closed", "owner",
                        "/alerts/", before=self._job_change(HISTORY, PLANS)),
            self.figure("leader alerts, owner, first view after a person changed", "owner",
                        "/alerts/", before=self._kept_bump(PEOPLE)),
            self.figure("audit trail, owner", "owner", "/audit/"),
            self.figure("new one-on-one, owner", "owner", "/one-on-ones/new/"),
        ]

    def _polls(self) -> list[Figure]:
        """Each poll as its page sends it (the poller's URL read from the rendered page):
        unchanged; changed, as the first viewer after a change finds it (the versions bumped
        before each request, untimed); changed, as the other viewers find it."""
        cast = self.cast
        figures = [
            self._poll("poll team board, unchanged (producer)", "producer", "/team/",
                       "/live/team/"),
            self._poll("poll team board, unchanged (owner)", "owner", "/team/", "/live/team/"),
            # The feed is below the fold of My week: the whole page carries its poller.
            self._poll("poll wins feed, unchanged (producer)", "producer", "/week/?whole=1",
                       "/live/wins/"),
        ]
        if cast.meeting is not None:
            figures.append(self._poll("poll meeting screen, unchanged (leader)", "leader",
                                      f"/meeting/{cast.meeting.pk}/", "/meeting/"))
        for who in ("leader", "owner"):
            figures.append(self._poll(f"poll team board, changed, first viewer ({who})", who,
                                      "/team/", "/live/team/", change="bump"))
        figures.append(self._poll("poll team board, changed, other viewers (leader)", "leader",
                                  "/team/", "/live/team/", change="seen"))
        return figures

    def _poll(self, name: str, who: str, page: str, prefix: str, change: str = "") -> Figure:
        found = poller(self.client(who).get(page).content.decode(), prefix)
        if found is None:
            return self.missing(name, f"no {prefix} poller on {page}")
        path, query = found
        if change == "seen" and query.get("v", "").lstrip("-").isdigit():
            query["v"] = str(int(query["v"]) - 1)
        before = self._bump if change == "bump" else None
        return self.figure(name, who, path, lambda: query, poll="changed" if change else
                           "unchanged", expect=200 if change else 204, before=before)

    def _kept_bump(self, *topics: str) -> Callable[[], None]:
        """A change to what a kept page reads: its topics' stamps bumped, as a write does."""
        def bump() -> None:
            for topic in topics:
                agency_changed(self.cast.agency.pk, topic)
        return bump

    def _job_change(self, *topics: str) -> Callable[[], None]:
        """A change the scorecard job, the nightly plans or a goal saved make, as they leave
        it: the stamps bumped, then everyone's role fit judged again (`agency_judged_keep`)."""
        bump = self._kept_bump(*topics)

        def change() -> None:
            bump()
            agency_judged_keep(self.cast.agency)
        return change

    def _bump(self) -> None:
        """A change: the versions a refresh that changed something bumps (the agency's and,
        where teams have their own, every team's)."""
        Agency.objects.filter(pk=self.cast.agency.pk).update(live_version=F("live_version") + 1)
        if any(f.name == "live_version" for f in Team._meta.fields):
            Team.objects.filter(agency=self.cast.agency).update(
                live_version=F("live_version") + 1)
