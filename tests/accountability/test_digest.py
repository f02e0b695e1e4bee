"""The weekly digest service: who gets one, what a leader and an owner see, once only, and a
fixed number of queries however many producers."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.models import Celebration, WeekClosure, WeeklyScorecard
from accountability.scorecards.digest import digest_message, digests_send, weekly_digests
from salesculture.models import Producer
from salesculture.weeks import Week
from tests.conftest import requires_postgres
from tests.factories import AgencyFactory, ProducerFactory, TeamFactory


@pytest.fixture
def week(agency):
    return Week.current(agency).start - dt.timedelta(weeks=1)


def here_all_week(agency, week):
    """Everyone built so far was with the agency all that week: a digest only goes to people
    who had joined by the week's end, and the tests build them today."""
    Producer.objects.filter(agency=agency).update(created_at=Week(week, agency.tz).begins)


def close(agency, week):
    here_all_week(agency, week)
    return WeekClosure.objects.create(agency=agency, week_start=week, closed_at=timezone.now())


def card(producer, week, **fields):
    return WeeklyScorecard.objects.create(agency=producer.agency, producer=producer,
                                          week_start=week, computed_at=timezone.now(), **fields)


def test_nothing_is_sent_for_a_week_that_is_not_closed(agency, producer, week):
    assert digests_send(agency=agency, week_start=week) == 0
    assert mail.outbox == []


def test_sent_once_only(agency, producer, leader, week):
    close(agency, week)
    assert digests_send(agency=agency, week_start=week) == 2
    assert digests_send(agency=agency, week_start=week) == 0
    assert len(mail.outbox) == 2
    assert WeekClosure.objects.get(agency=agency, week_start=week).digests_sent == 2


def test_switched_off_or_without_address_gets_none(agency, team, producer, week):
    ProducerFactory(agency=agency, team=team, digest_enabled=False, user__username="off")
    ProducerFactory(agency=agency, team=team, user__email="", user__username="noaddress")
    ProducerFactory(agency=agency, team=team, role="non_producer", user__username="admin")
    close(agency, week)
    digests_send(agency=agency, week_start=week)
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]


def test_a_leader_sees_their_team_and_an_owner_the_agency(agency, team, leader, owner, week):
    south = TeamFactory(agency=agency, name="South")
    sam = ProducerFactory(agency=agency, team=south, user__first_name="Sam",
                          user__last_name="South")
    card(sam, week, wins=4)
    Celebration.objects.create(agency=agency, producer=sam, kind="advance", source_key="s:1",
                               week_start=week, occurred_at=timezone.now(),
                               title="Sam South moved Zed Bakery to Contacted")
    here_all_week(agency, week)
    digests = {d.producer.pk: d for d in weekly_digests(agency=agency, week_start=week)}

    assert sam not in [line.producer for line in digests[leader.pk].team]
    assert not digests[leader.pk].team_wins
    assert sam in [line.producer for line in digests[owner.pk].team]
    assert [c.title for c in digests[owner.pk].team_wins] == [
        "Sam South moved Zed Bakery to Contacted"]
    assert digests[sam.pk].team == []  # a producer gets no team table
    assert [c.title for c in digests[sam.pk].wins] == ["Sam South moved Zed Bakery to Contacted"]


def test_another_agencys_people_never_appear(agency, leader, other_producer, week):
    card(other_producer, week, wins=9)
    here_all_week(agency, week)
    here_all_week(other_producer.agency, week)
    digests = weekly_digests(agency=agency, week_start=week)
    assert [d.producer for d in digests] == [leader]
    assert other_producer not in [line.producer for line in digests[0].team]


@pytest.mark.django_db
def test_queries_do_not_grow_with_producers(agency, team, leader):
    week = Week.current(agency).start - dt.timedelta(weeks=1)
    counts, people = [], 1  # the leader
    for n in (3, 30):
        ProducerFactory.create_batch(n, agency=agency, team=team)
        people += n
        here_all_week(agency, week)
        with CaptureQueriesContext(connection) as ctx:
            # the whole email, both parts rendered, as the task builds it
            messages = [digest_message(d)
                        for d in weekly_digests(agency=agency, week_start=week)]
        counts.append(len(ctx.captured_queries))
        assert len(messages) == people
    print("digest queries (4 and 34 people):", counts)
    assert counts[0] == counts[1]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_each_digest_once():
    # given: a closed week and three producers who want the digest
    agency = AgencyFactory()
    ProducerFactory.create_batch(3, agency=agency)
    week = Week.current(agency).start - dt.timedelta(weeks=1)
    close(agency, week)
    results, errors = [], []

    def worker():
        try:
            results.append(digests_send(agency=agency, week_start=week))
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    # when: two workers race for the same agency-week
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then: one of them sent all three, the other nothing
    assert errors == []
    assert sorted(results) == [0, 3]
    assert len(mail.outbox) == 3
