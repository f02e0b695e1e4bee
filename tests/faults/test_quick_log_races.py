"""Quick-logs racing each other: twenty at once with distinct tokens all count; the same token
twenty times at once counts once. Over HTTP against gunicorn with as many workers as it takes
for the requests to meet in the database: a person's twenty tabs, one session."""

import secrets
import threading
from collections import Counter

import pytest

from accountability.models import WeeklyScorecard
from pipeline.models import Activity

from .processes import Browser, wait_for

pytestmark = pytest.mark.faults
RACERS = 20


def _at_once(count: int, action) -> list:
    """Run `action(i)` in `count` threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = action(i)
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _tokens_of(producer) -> Counter:
    return Counter(Activity.objects.filter(producer=producer)
                   .values_list("client_token", flat=True))


def test_concurrent_quick_logs_over_http_count_once_per_token(processes, seed):
    cast = seed(producers=1)
    producer = cast.producers[0]
    server = processes.gunicorn(workers=10)
    processes.worker()
    person = Browser(server.url)
    person.login(producer.user.username, cast.password)
    tabs = [person.clone() for _ in range(RACERS)]
    call = cast.activity_types[0].pk
    run = secrets.token_hex(4)

    def tap(token):
        return lambda i: tabs[i].post("/week/log/", {"activity_type": call,
                                                     "client_token": token(i)},
                                      kind="quick_log", htmx=True)

    distinct = _at_once(RACERS, tap(lambda i: f"{run}-distinct-{i}"))
    same = _at_once(RACERS, tap(lambda i: f"{run}-same"))

    assert [r.status for r in distinct] == [200] * RACERS
    assert [r.status for r in same] == [200] * RACERS
    expected = Counter({f"{run}-distinct-{i}": 1 for i in range(RACERS)} | {f"{run}-same": 1})
    assert _tokens_of(producer) == expected
    # And the scorecard counts them as the ledger does, once the worker has caught up.
    card = wait_for(lambda: WeeklyScorecard.objects.filter(
        producer=producer, week_start=cast.week_start(), activities_total=RACERS + 1).first(),
        timeout=60, message="the scorecard never counted the 21 activities")
    assert card.activity_counts == {str(call): RACERS + 1}
