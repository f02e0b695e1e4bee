"""The lost-reason report (issue 15 item 7): losses counted by reason, stage lost from, line of
business and producer over a period, on a built history; who sees whose; the period picker's
messages; a query count that does not grow with the losses."""

import datetime as dt
import html as entities
import re

import pytest
from django.urls import reverse

from pipeline.services import prospect_advance, prospect_create
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory, stage
from tests.queries import queries_of

URL = "/pipeline/lost-reasons/"
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def _lost(owner, name, day: dt.date, *, via=(), lob="personal", reason="Price"):
    agency = owner.agency
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=agency.tz)
    p = prospect_create(owner=owner, name=name, line_of_business=lob, occurred_at=moment)
    for hour, to in enumerate([*via, "Lost"], start=10):
        prospect_advance(
            prospect=p,
            to_stage=stage(agency, to),
            actor=owner,
            expected_stage=p.stage,
            occurred_at=moment.replace(hour=hour),
            lost_reason=reason if to == "Lost" else "",
        )
        p.refresh_from_db()
    return p


@pytest.fixture
def south(agency):
    team = TeamFactory(agency=agency, name="South")
    return {
        "team": team,
        "leader": ProducerFactory(
            agency=agency,
            team=team,
            role="leader",
            user__username="sue",
            user__first_name="Sue",
            user__last_name="South",
        ),
        "sam": ProducerFactory(
            agency=agency,
            team=team,
            user__username="sam",
            user__first_name="Sam",
            user__last_name="Seller",
        ),
    }


@pytest.fixture
def history(producer, south):
    """Pat (North): Price from Lead (personal), Price from Proposal presented (commercial),
    Not the right time from Contacted (personal), and a Price loss in September (outside).
    Sam (South): Price from Lead (life), Stopped responding from Proposal presented (benefits)."""
    _lost(producer, "Ash", dt.date(2026, 10, 5))
    _lost(producer, "Beech", dt.date(2026, 10, 6), via=["Proposal presented"], lob="commercial")
    _lost(producer, "Cherry", dt.date(2026, 10, 7), via=["Contacted"], reason="Not the right time")
    _lost(producer, "Damson", dt.date(2026, 9, 15))
    _lost(south["sam"], "Elder", dt.date(2026, 10, 8), lob="life")
    _lost(
        south["sam"],
        "Fig",
        dt.date(2026, 10, 9),
        via=["Proposal presented"],
        lob="benefits",
        reason="Stopped responding",
    )


def counts(html: str, section: str) -> dict[str, int]:
    start = html.index(f'data-testid="lost-by-{section}"')
    part = html[start : html.index("</section>", start)]
    return {
        entities.unescape(label): int(n)
        for label, n in re.findall(
            r'data-row="([^"]+)">.*?<td class="num" data-n>(\d+)</td>', part, re.S
        )
    }


def test_the_owner_sees_the_agency_counted_four_ways(history, client, owner):
    login(client, owner)
    html = client.get(URL, OCTOBER).content.decode()
    assert 'data-testid="lost-total">5<' in html
    assert counts(html, "reason") == {"Price": 3, "Not the right time": 1, "Stopped responding": 1}
    assert counts(html, "stage") == {"Lead": 2, "Contacted": 1, "Proposal presented": 2}
    assert counts(html, "line") == {
        "Personal lines": 2,
        "Commercial lines": 1,
        "Life & health": 1,
        "Employee benefits": 1,
    }
    assert counts(html, "producer") == {"Pat Producer": 3, "Sam Seller": 2}
    stages = list(counts(html, "stage"))
    assert stages == ["Lead", "Contacted", "Proposal presented"]  # the pipeline's order


def test_a_leader_sees_their_team_only(history, client, leader, south):
    login(client, leader)
    html = client.get(URL, OCTOBER).content.decode()
    assert counts(html, "producer") == {"Pat Producer": 3}
    assert "Sam Seller" not in html and "Stopped responding" not in html
    login(client, south["leader"])
    html = client.get(URL, OCTOBER).content.decode()
    assert counts(html, "producer") == {"Sam Seller": 2}
    assert counts(html, "reason") == {"Price": 1, "Stopped responding": 1}


def test_the_period_decides_what_counts(history, client, owner):
    login(client, owner)
    html = client.get(URL, {"start": "2026-09-01", "end": "2026-09-30"}).content.decode()
    assert 'data-testid="lost-total">1<' in html and counts(html, "producer") == {"Pat Producer": 1}


def test_a_producer_gets_404(history, client, producer):
    login(client, producer)
    assert client.get(URL, OCTOBER).status_code == 404


def test_another_agencys_owner_sees_none_of_ours(history, client, other_agency):
    stranger = ProducerFactory(agency=other_agency, role="owner")
    login(client, stranger)
    html = client.get(URL, OCTOBER).content.decode()
    assert 'data-testid="lost-total">0<' in html and "Pat Producer" not in html


@pytest.mark.parametrize(
    "period, field, message",
    [
        ({"start": "2026-10-31", "end": "2026-10-01"}, "end", "on or after the first day"),
        ({"start": "2025-01-01", "end": "2026-10-01"}, "end", "at most 366 days"),
        ({"start": "yesterday", "end": "2026-10-01"}, "start", "as a date"),
        ({"start": "", "end": "2026-10-01"}, "start", "Enter the first day"),
    ],
)
def test_a_bad_period_is_told_next_to_the_field(owner, client, period, field, message):
    login(client, owner)
    response = client.get(URL, period)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'data-testid="lost-total"' not in html
    field_block = html[html.index(f'id="id_{field}"') :]
    assert message in field_block[:600]


def test_the_default_is_the_last_13_weeks(client, owner):
    login(client, owner)
    response = client.get(URL)
    assert (
        response.status_code == 200 and 'data-testid="lost-total">0<' in response.content.decode()
    )


def test_the_query_count_does_not_grow_with_the_losses(history, client, owner, south):
    login(client, owner)
    small = queries_of(client.get, URL, OCTOBER)
    for i in range(6):
        person = ProducerFactory(agency=owner.agency, team=south["team"])
        _lost(
            person,
            f"More {i}",
            dt.date(2026, 10, 12),
            via=["Contacted"],
            lob="commercial",
            reason=f"Reason {i}",
        )
    large = queries_of(client.get, URL, OCTOBER)
    assert small == large
    assert 'data-testid="lost-total">11<' in client.get(URL, OCTOBER).content.decode()


def test_the_nav_links_the_report_for_leaders_only(client, leader, producer):
    login(client, leader)
    assert (
        reverse("pipeline:lost_reasons")
        in client.get(reverse("accountability:my_week")).content.decode()
    )
    login(client, producer)
    assert (
        reverse("pipeline:lost_reasons")
        not in client.get(reverse("accountability:my_week")).content.decode()
    )


def test_an_owner_narrows_the_report_to_one_team(history, client, owner, team, south):
    login(client, owner)
    html = client.get(URL, {**OCTOBER, "team": south["team"].pk}).content.decode()
    assert "Lost reasons · team South" in html
    assert 'data-testid="lost-total">2<' in html
    assert counts(html, "producer") == {"Sam Seller": 2}
    assert counts(html, "reason") == {"Price": 1, "Stopped responding": 1}
    html = client.get(URL, {**OCTOBER, "team": ""}).content.decode()
    assert 'data-testid="lost-total">5<' in html and "Lost reasons · the agency" in html


def test_a_team_of_another_agency_is_told_next_to_the_field(history, client, owner, south,
                                                            other_agency):
    foreign = TeamFactory(agency=other_agency, name="Elsewhere")
    login(client, owner)
    response = client.get(URL, {**OCTOBER, "team": foreign.pk})
    html = response.content.decode()
    assert response.status_code == 400 and 'data-testid="lost-total"' not in html
    assert "Choose one of your agency's teams." in entities.unescape(
        html[html.index('id="id_team"'):][:800])


def test_a_leader_is_offered_no_team_to_pick(history, client, leader, south):
    login(client, leader)
    html = client.get(URL, {**OCTOBER, "team": south["team"].pk}).content.decode()
    assert 'id="id_team"' not in html
    assert counts(html, "producer") == {"Pat Producer": 3}  # their own team, whatever is asked


def test_a_loss_counts_under_the_line_it_had_when_it_was_lost(history, client, owner,
                                                               producer):
    """Like its reason, a loss keeps the line of business it was lost with: a prospect
    re-filed as commercial later does not move last month's personal-lines loss."""
    from pipeline.models import Prospect

    Prospect.all_objects.filter(name="Ash").update(line_of_business="commercial")
    login(client, owner)
    html = client.get(URL, OCTOBER).content.decode()
    assert counts(html, "line") == {"Personal lines": 2, "Commercial lines": 1,
                                    "Life & health": 1, "Employee benefits": 1}


def test_an_owner_of_many_reads_who_loses_most_and_the_rest_in_one_row(
        history, client, owner, monkeypatch):
    """An owner of 500 was sent 500 rows: the table lists those who lost most, sums up the
    rest in one row, and lists everyone on request (the period kept)."""
    monkeypatch.setattr("pipeline.lost_views.PRODUCERS_SHOWN", 1)
    login(client, owner)
    html = client.get(URL, OCTOBER).content.decode()
    assert counts(html, "producer") == {"Pat Producer": 3}
    assert re.search(r'data-rest><th scope="row">1 more producer</th><td class="num">2</td>',
                     html)
    link = re.search(r'<a href="\?([^"]+)">Show every producer</a>', html).group(1)
    every = client.get(f"{URL}?{entities.unescape(link)}").content.decode()
    assert counts(every, "producer") == {"Pat Producer": 3, "Sam Seller": 2}
    assert 'data-testid="lost-total">5<' in every  # still October
    # The default period's full table, with no period asked for.
    assert client.get(URL, {"everyone": "1"}).status_code == 200


def test_weeks_counted_in_one_pass_are_the_weeks_counted_one_by_one(owner, producer):
    """The kept weeks of the report (pipeline/lost_report.py) are counted together, each loss
    put in its week by the week's first moment in the agency's zone: a loss late on a
    Sunday night belongs to its week, one just after midnight to the next."""
    from pipeline.lost_report import _tallies, _tallies_of_spans

    agency = owner.agency
    monday = dt.date(2026, 10, 5)
    for offset, hour, reason in ((0, 9, "Price"), (6, 23, "Timing"), (7, 0, "Service"),
                                 (9, 15, "Price"), (13, 23, "Coverage"), (14, 0, "Price")):
        day = monday + dt.timedelta(days=offset)
        p = prospect_create(owner=producer, name=f"{reason} {offset}", occurred_at=dt.datetime(
            day.year, day.month, day.day, hour, tzinfo=agency.tz))
        prospect_advance(prospect=p, to_stage=stage(agency, "Lost"), actor=producer,
                         expected_stage=p.stage, lost_reason=reason,
                         occurred_at=dt.datetime(day.year, day.month, day.day, hour, 30,
                                                 tzinfo=agency.tz))
    spans = [(monday + dt.timedelta(days=2), monday + dt.timedelta(days=6)),
             (monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)),
             (monday + dt.timedelta(days=14), monday + dt.timedelta(days=16))]

    def normal(tallies):
        return [sorted(rows, key=repr) for rows in tallies]

    together = [normal(t) for t in _tallies_of_spans(owner, spans, None)]
    assert together == [normal(_tallies(owner, *span, None)) for span in spans]
    assert [sum(n for _, n in t[0]) for t in together] == [1, 3, 1]
