"""A bounded load run on 127.0.0.1: LOAD_CLIENTS people (20) for LOAD_SECONDS (60) against
gunicorn with the deployed settings, a Celery worker and beat. Each logs activities (some taps
sent twice with the same token), advances prospects with the stage it saw (some moves sent
twice), polls the live parts and opens pages. Afterwards the database holds exactly the
writes the clients saw acknowledged (nothing lost, nothing doubled), nothing answered 500,
and within one refresh period every scorecard equals a clean recomputation from the
ledgers."""

import datetime as dt
import os
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.db import transaction

from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import SCORECARD_FIELDS, scorecards_refresh
from pipeline.models import Activity, Prospect, StageAdvance
from salesculture.weeks import Week

from .conftest import REFRESH_SECONDS
from .processes import Browser, Journal, live_version, log_tail

pytestmark = pytest.mark.faults
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))
PROSPECTS_EACH = 12
RESEND_SHARE = 0.15  # of quick-logs and advances, sent a second time as a double tap would
PAGES = ("/week/", "/team/", "/pipeline/")
# How long a scorecard refresh itself may take once the period is up.
REFRESH_RUN_SECONDS = 15


@dataclass
class Person:
    """One client: its own session and what the server acknowledged to it."""

    index: int
    producer: object
    browser: Browser
    route: list  # stage ids, first to last
    types: list  # activity type ids
    run: str
    stages: dict  # prospect id -> index in route where the client last saw it
    rng: random.Random
    activities: dict = field(default_factory=dict)  # token -> quantity, acknowledged
    advances: Counter = field(default_factory=Counter)  # prospect id -> moves acknowledged
    unexpected: list = field(default_factory=list)  # (what, status, body)
    versions: dict = field(default_factory=dict)
    taps: int = 0
    resends_refused: int = 0

    def act(self) -> None:
        roll = self.rng.random()
        if roll < 0.35:
            self.quick_log()
        elif roll < 0.50:
            self.advance()
        elif roll < 0.75:
            self.poll()
        else:
            self.page()

    def quick_log(self) -> None:
        self.taps += 1
        token = f"{self.run}-{self.index}-{self.taps}"
        quantity = self.rng.choice((1, 1, 1, 2, 3))
        data = {"activity_type": self.rng.choice(self.types), "client_token": token,
                "quantity": quantity}
        sends = 2 if self.rng.random() < RESEND_SHARE else 1
        for n in range(sends):
            answer = self.browser.post("/week/log/", data, kind="quick_log_resend" if n
                                       else "quick_log", htmx=True)
            if answer.status == 200:
                self.activities[token] = quantity
            else:
                self.unexpected.append((f"quick-log {token}", answer.status, answer.body))

    def advance(self) -> None:
        open_ones = [pk for pk, at in self.stages.items() if at < len(self.route) - 1]
        if not open_ones:
            return self.page()
        pk = self.rng.choice(open_ones)
        at = self.stages[pk]
        data = {"to_stage": self.route[at + 1], "expected_stage": self.route[at],
                "next_step": "Call to follow up", "definition_confirmed": "on",
                "next_step_due": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
                "from": "board"}
        path = f"/pipeline/prospects/{pk}/advance/"
        answer = self.browser.post(path, data, kind="advance", htmx=True)
        if answer.status != 200:
            self.unexpected.append((f"advance {pk}", answer.status, answer.body))
            return None
        self.advances[pk] += 1
        self.stages[pk] = at + 1
        if self.rng.random() < RESEND_SHARE:
            # The same move again (a double tap): the prospect is no longer where the form
            # saw it, so it must be refused and written nowhere.
            again = self.browser.post(path, data, kind="advance_resend", htmx=True)
            if again.status in (400, 409):
                self.resends_refused += 1
            else:
                self.unexpected.append((f"advance resent {pk}", again.status, again.body))
        return None

    def poll(self) -> None:
        path = self.rng.choice(("/live/team/", "/live/wins/"))
        answer = self.browser.get(f"{path}?v={self.versions.get(path, '')}", kind="poll",
                                  htmx=True)
        if answer.status == 200:
            self.versions[path] = live_version(answer.body)
        elif answer.status != 204:
            self.unexpected.append((f"poll {path}", answer.status, answer.body))

    def page(self) -> None:
        path = self.rng.choice(PAGES)
        answer = self.browser.get(path, kind="page")
        if answer.status != 200:
            self.unexpected.append((f"page {path}", answer.status, answer.body))


def _people(cast, url: str, journal: Journal, run: str) -> list[Person]:
    people = []
    for index, producer in enumerate(cast.producers):
        browser = Browser(url, journal)
        browser.login(producer.user.username, cast.password)
        people.append(Person(
            index=index, producer=producer, browser=browser, route=[s.pk for s in cast.path],
            types=[t.pk for t in cast.activity_types], run=run,
            stages={p.pk: 0 for p in cast.prospects[producer.pk]},
            rng=random.Random(f"{run}-{index}")))
    return people


def _drive(people: list[Person], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    errors: list[BaseException] = []

    def use(person):
        try:
            while time.monotonic() < deadline:
                person.act()
                time.sleep(person.rng.uniform(0, 0.05))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=use, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a client did not stop"


class _Rollback(Exception):
    pass


def _recomputed(agency, week_start: dt.date) -> dict[int, dict]:
    """The week's cards as a refresh computes them now, written nowhere."""
    try:
        with transaction.atomic():
            cards = scorecards_refresh(agency=agency, week_start=week_start)
            raise _Rollback
    except _Rollback:
        pass
    return {card.producer_id: {f: getattr(card, f) for f in SCORECARD_FIELDS}
            for card in cards}


def _stored(agency, week_start: dt.date) -> dict[int, dict]:
    return {row.pop("producer_id"): row for row in WeeklyScorecard.objects
            .filter(agency=agency, week_start=week_start).values("producer_id", *SCORECARD_FIELDS)}


def _ledger_counts(agency, week_start: dt.date) -> dict[int, dict[str, int]]:
    start, end = Week(week_start, agency.tz).bounds
    counts: dict[int, dict[str, int]] = {}
    for producer_id, type_id, quantity in Activity.objects.filter(
            agency=agency, occurred_at__gte=start, occurred_at__lt=end).values_list(
            "producer_id", "activity_type_id", "quantity"):
        per_type = counts.setdefault(producer_id, {})
        per_type[str(type_id)] = per_type.get(str(type_id), 0) + quantity
    return counts


def _scorecard_differences(agency) -> list[str]:
    """Where a stored card differs from a recomputation, or its activity counts from the
    ledger itself; [] when every card of every week with activity is right."""
    # The days in the agency's zone: on a Sunday evening in Chicago the UTC date is Monday's,
    # which would name a week that has not begun there (and has no cards, rightly).
    days = Activity.objects.filter(agency=agency).datetimes("occurred_at", "day",
                                                             tzinfo=agency.tz)
    weeks = {Week.of(agency, day).start for day in days} | {Week.current(agency).start}
    differences = []
    for week_start in sorted(weeks):
        stored, fresh = _stored(agency, week_start), _recomputed(agency, week_start)
        ledger = _ledger_counts(agency, week_start)
        for pid in sorted(set(stored) | set(fresh)):
            mine, theirs = stored.get(pid), fresh.get(pid)
            if mine != theirs:
                differences.append(f"{week_start} producer {pid}: stored {mine} != {theirs}")
            elif mine is not None and mine["activity_counts"] != ledger.get(pid, {}):
                differences.append(f"{week_start} producer {pid}: counts {mine} != ledger "
                                   f"{ledger.get(pid)}")
    return differences


def _await_scorecards(agency, seconds: float) -> tuple[float, list[str]]:
    began = time.monotonic()
    while True:
        differences = _scorecard_differences(agency)
        if not differences or time.monotonic() - began > seconds:
            return time.monotonic() - began, differences
        time.sleep(1)


def test_load_run_loses_nothing_doubles_nothing_and_scorecards_catch_up(
        stack, processes, seed, figures):
    cast = seed(producers=CLIENTS, prospects_each=PROSPECTS_EACH, commitments=True)
    server = processes.gunicorn(workers=3)
    worker = processes.worker(concurrency=2)
    processes.beat()
    journal = Journal()
    run = secrets.token_hex(4)
    people = _people(cast, server.url, journal, run)

    began = time.monotonic()
    _drive(people, LOAD_SECONDS)
    load_seconds = time.monotonic() - began
    caught_up, differences = _await_scorecards(cast.agency,
                                               REFRESH_SECONDS + REFRESH_RUN_SECONDS)

    acknowledged = {t: q for p in people for t, q in p.activities.items()}
    stored = {}
    for token, quantity in Activity.objects.filter(
            agency=cast.agency, client_token__startswith=run).values_list(
            "client_token", "quantity"):
        assert token not in stored, f"{token} stored twice"
        stored[token] = quantity
    moves = Counter({pk: n for p in people for pk, n in p.advances.items()})
    moves_stored = Counter(StageAdvance.objects.filter(agency=cast.agency)
                           .values_list("prospect_id", flat=True))
    seen_at = {pk: p.route[at] for p in people for pk, at in p.stages.items()}
    stages_now = dict(Prospect.objects.filter(agency=cast.agency).values_list("pk", "stage_id"))
    summary = journal.summary()
    requests = [r for r in journal.entries if r.kind != "login"]
    written, found = len(acknowledged) + moves.total(), len(stored) + moves_stored.total()
    resent_taps = summary.get("quick_log_resend", {}).get("n", 0)
    refused = sum(p.resends_refused for p in people)
    figures.append(
        f"load: clients={CLIENTS} seconds={load_seconds:.0f} requests={len(requests)} "
        f"({len(requests) / load_seconds:.1f}/s) writes acknowledged={written} found={found} "
        f"(quick-logs {len(acknowledged)}/{len(stored)}, advances {moves.total()}/"
        f"{moves_stored.total()}; taps resent {resent_taps}, resent moves refused {refused}) "
        f"500s={journal.count(500)} no answer={journal.count(0)}; scorecards equal to a "
        f"recomputation {caught_up:.1f} s after the last write; "
        + "; ".join(f"{kind} n={s['n']} p50={s['p50']:.0f}ms p95={s['p95']:.0f}ms"
                    for kind, s in summary.items()))

    failures = [r for r in journal.entries if r.status >= 500 or r.status == 0]
    assert not failures, "\n\n".join(f"{r.kind} {r.status}: {r.body[:1500]}"
                                     for r in failures[:5]) + (
        f"\n\ngunicorn:\n{log_tail(server.process)}")
    unexpected = [u for p in people for u in p.unexpected]
    assert not unexpected, "\n".join(f"{what}: {status} {body[:300]}"
                                     for what, status, body in unexpected[:10])
    assert stored == acknowledged  # every acknowledged tap once, with its quantity
    assert moves_stored == moves  # every acknowledged move once, no refused resend written
    assert stages_now == seen_at
    assert not differences, (
        f"{len(differences)} scorecards still differ {caught_up:.0f} s after the load:\n"
        + "\n".join(differences[:10]) + f"\n\nworker:\n{log_tail(worker)}")
    # What each client logged is what its cards count (all weeks, should the run span two).
    logged = Counter()
    for person in people:
        logged[person.producer.pk] += sum(person.activities.values())
    counted = Counter()
    for producer_id, total in WeeklyScorecard.objects.filter(agency=cast.agency).values_list(
            "producer_id", "activities_total"):
        counted[producer_id] += total
    assert counted == logged
