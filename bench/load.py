"""The load run: USERS people of the agency against gunicorn (deployed settings) and a Celery
worker on 127.0.0.1, for SECONDS, from a bounded thread pool (one thread a person). Each
thinks 1–5 s, then opens a page, polls the live board or wins feed with the version it last
saw, or quick-logs an activity (which queues a scorecard refresh). Goals: no failure (no
answer, a 5xx, or any status the action should not get) and p95 under 250 ms.

The activities it logs carry a `bench-load-` token; `clean_up` deletes them afterwards (and
refreshes the week), so the generated data stays as generated."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.env import PASSWORD
from bench.pages import percentile
from bench.populate import username
from bench.report import Figure
from bench.stack import Stack
from tests.faults.processes import Browser, Journal, live_version

USERS, SECONDS = 50, 60
THINK = (1.0, 5.0)
P95_MS = 250
THROUGHPUT_SHARE = 0.5  # of the trivial view's requests a second, under the same crowd
PAGES = ("/week/", "/team/", "/pipeline/", "/commitments/")
EXPECTED = {"page": {200}, "poll": {200, 204}, "quick_log": {200}}
TOKEN_PREFIX = "bench-load-"


class Person:
    def __init__(self, index: int, browser: Browser, types: list[int], run: str):
        self.index = index
        self.browser = browser
        self.types = types
        self.run = run
        self.rng = random.Random(f"{run}-{index}")
        self.versions: dict[str, str] = {}
        self.taps = 0

    def act(self) -> None:
        roll = self.rng.random()
        if roll < 0.4:
            self.browser.get(self.rng.choice(PAGES), kind="page")
        elif roll < 0.8:
            path = self.rng.choice(("/live/team/", "/live/wins/"))
            answer = self.browser.get(f"{path}?v={self.versions.get(path, '')}", kind="poll",
                                      htmx=True)
            if answer.status == 200:
                self.versions[path] = live_version(answer.body)
        else:
            self.taps += 1
            self.browser.post("/week/log/", {
                "activity_type": self.rng.choice(self.types), "quantity": 1,
                "client_token": f"{TOKEN_PREFIX}{self.run}-{self.index}-{self.taps}"},
                kind="quick_log", htmx=True)


def _logins(agency, users: int) -> list[str]:
    names = [username(agency.slug, "leader", 1)]
    names += [username(agency.slug, "producer", n) for n in range(1, users)]
    return names[:users]


def load_figures(stack: Stack, agency, *, users: int = USERS,
                 seconds: float = SECONDS) -> list[Figure]:
    """The mixed run on the app, then the same crowd thinking as long between requests of the
    trivial view only (bench/urls.py), whose requests a second compare the throughputs."""
    from pipeline.models import ActivityType

    stack.start_worker()
    types = list(ActivityType.objects.filter(agency=agency, is_active=True)
                 .values_list("pk", flat=True))
    run = time.strftime("%H%M%S")
    logins = _logins(agency, users)
    journal = _crowd(stack.start_web(), logins, seconds,
                     lambda index, browser: Person(index, browser, types, run))
    figures = _figures(journal, users, seconds)
    figures.append(Figure("web peak RSS (largest gunicorn worker, after the load run)",
                          stack.peak_mb(stack.web), "MB"))
    figures.append(Figure("worker peak RSS, after the load run", stack.peak_mb(stack.worker),
                          "MB"))
    floor = _crowd(stack.start_floor_web(), logins, seconds,
                   lambda index, browser: FloorPerson(index, browser, run))
    figures.insert(3, Figure(
        f"load, {users} users, {seconds:g} s: throughput", len(journal.entries) / seconds,
        "requests/s", floor=len(floor.entries) / seconds, ratio_min=THROUGHPUT_SHARE,
        goal=f"≥ {THROUGHPUT_SHARE:g}× the trivial view's under the same load",
        note=f"the trivial view alone: {len(floor.entries)} requests, p95 "
             f"{percentile([r.seconds * 1000 for r in floor.entries], 95):.0f} ms"
        if floor.entries else "the trivial view answered nothing"))
    return figures


class FloorPerson:
    """Someone of the same crowd who only ever asks for the trivial view."""

    def __init__(self, index: int, browser: Browser, run: str):
        self.browser = browser
        self.rng = random.Random(f"{run}-floor-{index}")

    def act(self) -> None:
        self.browser.get("/bench/floor/", kind="page")


def _crowd(base_url: str, logins: list[str], seconds: float, someone) -> Journal:
    """One thread a person, logged in first (not timed), then thinking THINK seconds before
    each action of `someone(index, browser)` until `seconds` have passed since the last
    login."""
    journal = Journal()
    deadline: list[float] = []
    logged_in = threading.Barrier(
        len(logins) + 1, action=lambda: deadline.append(time.monotonic() + seconds))

    def person(index: int, login: str) -> None:
        browser = Browser(base_url, Journal())  # logins are not part of the figures
        try:
            browser.login(login, PASSWORD)
        finally:
            logged_in.wait()
        browser.journal = journal
        who = someone(index, browser)
        while True:
            pause = who.rng.uniform(*THINK)
            if time.monotonic() + pause >= deadline[0]:
                return
            time.sleep(pause)
            who.act()

    with ThreadPoolExecutor(max_workers=len(logins), thread_name_prefix="bench-user") as pool:
        futures = [pool.submit(person, i, login) for i, login in enumerate(logins)]
        logged_in.wait()
        for future in futures:
            future.result()
    return journal


def _figures(journal: Journal, users: int, seconds: float) -> list[Figure]:
    entries = journal.entries
    failures = [r for r in entries if r.status not in EXPECTED[r.kind]]
    millis = [r.seconds * 1000 for r in entries]
    kinds = ", ".join(f"{kind} {s['n']} (p95 {s['p95']:.0f} ms)"
                      for kind, s in journal.summary().items())
    what = f"load, {users} users, {seconds:g} s"
    return [
        Figure(f"{what}: p95 of every request", percentile(millis, 95) if millis else None,
               "ms", goal=f"< {P95_MS} ms", value_max=P95_MS,
               note=f"{len(entries)} requests: {kinds}"),
        Figure(f"{what}: median of every request",
               percentile(millis, 50) if millis else None, "ms"),
        Figure(f"{what}: failures", len(failures), "failures", goal="0", value_max=1,
               note=", ".join(sorted({f"{r.kind} {r.status}" for r in failures}))),
    ]


def clean_up(agency) -> None:
    """Take back what the load run logged and bring the week's cards back in line (once its
    worker has stopped)."""
    from accountability.scorecards.refresh import scorecards_refresh
    from pipeline.models import Activity
    from salesculture.models import DirtyWeek
    from salesculture.weeks import Week

    Activity.objects.filter(agency=agency, client_token__startswith=TOKEN_PREFIX).delete()
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)
    DirtyWeek.objects.filter(agency=agency).delete()
