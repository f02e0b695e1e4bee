"""What the digest email looks like to its reader: absolute links from SITE_URL (the team link
opens the week the email is about), highlights first, long lists cut with a count, and a
subject that reads as English."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from accountability.models import Celebration, WeekClosure, WeeklyScorecard
from accountability.scorecards.digest import MY_WINS_SHOWN, TEAM_WINS_SHOWN, digests_send
from accountability.tasks import send_weekly_digests
from salesculture.models import Producer
from salesculture.weeks import Week
from tests.factories import ProducerFactory


@pytest.fixture
def week(agency):
    return Week.current(agency).start - dt.timedelta(weeks=1)


def card(producer, week, **fields):
    return WeeklyScorecard.objects.create(agency=producer.agency, producer=producer,
                                          week_start=week, computed_at=timezone.now(), **fields)


def win(producer, week, n, *, kind="advance", detail="Success is the next step.", title=None):
    return Celebration.objects.create(
        agency=producer.agency, producer=producer, kind=kind, source_key=f"t:{producer.pk}:{n}",
        week_start=week, detail=detail, title=title or f"{producer.name} moved Prospect {n}",
        occurred_at=timezone.now() - dt.timedelta(minutes=n))


def close(agency, week) -> None:
    """Close the week. Everyone built so far was with the agency all of it: a digest only goes
    to people who had joined by the week's end, and the tests build them today."""
    Producer.objects.filter(agency=agency).update(created_at=Week(week, agency.tz).begins)
    WeekClosure.objects.create(agency=agency, week_start=week, closed_at=timezone.now())


def send(agency, week) -> dict:
    close(agency, week)
    digests_send(agency=agency, week_start=week)
    return {m.to[0]: m for m in mail.outbox}


def test_every_link_is_absolute_from_site_url(settings, agency, leader, producer, week):
    settings.SITE_URL = "https://crm.example.org/"
    card(leader, week, wins=1)
    mails = send(agency, week)

    leader_mail = mails[leader.user.email]
    html = leader_mail.alternatives[0][0]
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs, "the HTML part has links"
    assert all(h.startswith("https://crm.example.org/") for h in hrefs), hrefs
    assert "//team" not in "".join(hrefs)  # the trailing slash of SITE_URL is not doubled
    team_link = f"https://crm.example.org/team/?week={week.isoformat()}"
    assert team_link in hrefs and team_link in leader_mail.body
    assert "https://crm.example.org/profile/" in hrefs
    # a producer's mail has no team link, but the same absolute links to their own pages
    producer_html = mails[producer.user.email].alternatives[0][0]
    assert "/team/" not in producer_html
    assert "https://crm.example.org/week/" in producer_html


def test_long_lists_are_cut_with_a_count_and_highlights_come_first(agency, leader, producer,
                                                                  week):
    for n in range(MY_WINS_SHOWN + 3):
        win(producer, week, n)
    # the oldest win is a new client: it still leads both lists
    win(producer, week, 99, detail="Bound! A new client.", title="Paula bound Big Client")
    card(producer, week, wins=MY_WINS_SHOWN + 4)
    for n in range(TEAM_WINS_SHOWN):
        win(leader, week, 200 + n)
    mails = send(agency, week)

    mine = mails[producer.user.email]
    lines = [line.strip() for line in mine.body.splitlines() if line.strip().startswith("* ")]
    assert lines[0] == "* Paula bound Big Client"
    assert len(lines) == MY_WINS_SHOWN
    assert "and 4 more." in mine.body
    html = mine.alternatives[0][0]
    assert html.count("<li") == MY_WINS_SHOWN and "and 4 more." in html

    leaders = mails[leader.user.email]
    assert f"and {MY_WINS_SHOWN + 4} more on the team scorecard." in leaders.body
    team_part = leaders.body.split("Team wins:")[1]
    assert team_part.strip().startswith("* Paula bound Big Client")


def test_subjects_read_as_english(agency, leader, producer, week):
    card(leader, week, wins=1, commitments_total=2, commitments_kept=2)
    card(producer, week, wins=0)
    mails = send(agency, week)
    assert mails[producer.user.email].subject == (
        f"Your week of {week:%b} {week.day}: 0 stage wins, no commitments")
    assert "Commitments kept: none made" in mails[producer.user.email].body
    assert mails[leader.user.email].subject == (
        f"Week of {week:%b} {week.day} · you: 1 stage win, 2/2 commitments kept; "
        f"team {leader.team.name}: 1 stage win")


def test_the_team_table_marks_who_kept_and_who_missed(agency, team, leader, producer, week):
    slacker = ProducerFactory(agency=agency, team=team, user__first_name="Sid")
    card(producer, week, commitments_total=2, commitments_kept=2, activities_total=7)
    card(slacker, week, commitments_total=3, commitments_kept=1, activities_total=3)
    html = send(agency, week)[leader.user.email].alternatives[0][0]

    def kept_cell(name):
        row = re.search(rf"<tr[^>]*><td[^>]*>{re.escape(name)}.*?</tr>", html, re.S).group(0)
        return re.findall(r'<span style="([^"]*)">(\d+/\d+|–)</span>', row)[-1]

    assert kept_cell(producer.name) == ("color:#1b7f4b;font-weight:700;", "2/2")
    assert kept_cell(slacker.name) == ("color:#c62f2f;font-weight:700;", "1/3")
    assert re.search(r"<td>Total</td><td[^>]*>0</td><td[^>]*>10</td><td[^>]*>3/5</td>", html)


class MailServerDownOnce(locmem.EmailBackend):
    """The mail server refuses the first connection (Monday 00:05), then works."""

    refusals = 0

    def open(self):
        if MailServerDownOnce.refusals == 0:
            MailServerDownOnce.refusals += 1
            raise ConnectionRefusedError("mail server unreachable")
        return super().open()


def test_an_unreachable_mail_server_is_retried_and_each_digest_goes_out_once(
        settings, agency, leader, producer, week):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDownOnce"
    MailServerDownOnce.refusals = 0
    close(agency, week)

    # throw=False: let eager Celery run the retry itself instead of raising Retry at us
    result = send_weekly_digests.apply(args=(agency.pk, week.isoformat()), throw=False)

    assert MailServerDownOnce.refusals == 1
    assert result.get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([leader.user.email,
                                                           producer.user.email])
    assert WeekClosure.objects.get(agency=agency, week_start=week).digests_sent == 2
