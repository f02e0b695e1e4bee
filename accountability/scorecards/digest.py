"""The weekly email digest, sent once per agency-week after the week is closed.

Each producer who has the digest switched on gets their numbers, the week's commitments judged
kept or missed, their wins, and next week's commitments (or a nudge to set them). A leader's
digest adds their team's table and wins; an owner's covers the whole agency. Everything comes
from the materialised scorecards and celebrations, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from salesculture.models import Agency, Producer
from salesculture.selectors import selling_producers
from salesculture.weeks import Week

from ..coaching.alerts import Alert, agency_alerts
from ..commitments.rules import commitment_target
from ..models import Celebration, Commitment, WeekClosure, WeeklyScorecard
from .numbers import CardNumbers

logger = logging.getLogger(__name__)

# The mail server being down or unreachable when the digests go out (Monday 00:05): the task
# tries again later. Nothing was recorded as sent, so the retry sends each digest once.
TRANSIENT_MAIL_ERRORS = (OSError, smtplib.SMTPException)

# An email is read in a minute: long lists are cut, with a count and a link to the rest.
MY_WINS_SHOWN = 10
TEAM_WINS_SHOWN = 12


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _is_highlight(c: Celebration) -> bool:
    """A personal best, a kept week, a streak or a new client: listed before plain advances."""
    if c.kind != Celebration.Kind.ADVANCE:
        return True
    return (c.detail or "").startswith("Bound")


# The team table's kept cell: green kept every commitment, red missed some, grey made none.
KEPT_STYLES = {True: "color:#1b7f4b;font-weight:700;", False: "color:#c62f2f;font-weight:700;",
               None: "color:#5b6675;"}


@dataclass
class TeamLine:
    producer: Producer
    numbers: CardNumbers

    @property
    def kept_style(self) -> str:
        return KEPT_STYLES[self.numbers.kept_all]

    @property
    def summary(self) -> str:
        """“Lee Leader (Leader): 2 wins, 5 activities, 1/2 kept”: the plain-text email's line."""
        p, n = self.producer, self.numbers
        role = f" ({p.get_role_display()})" if p.is_leader else ""
        activities = f"{n.activities} activit{'y' if n.activities == 1 else 'ies'}"
        return f"{p.name}{role}: {_plural(n.wins, 'win')}, {activities}, {n.kept_text} kept"


@dataclass
class Digest:
    producer: Producer
    week: Week
    card: WeeklyScorecard | None
    commitments: list[Commitment]
    next_commitments: list[Commitment]
    wins: list[Celebration]
    team_name: str = ""
    team: list[TeamLine] = field(default_factory=list)
    team_wins: list[Celebration] = field(default_factory=list)
    links: dict = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)  # a leader's: who needs attention
    numbers: CardNumbers = field(init=False)

    def __post_init__(self) -> None:
        self.numbers = CardNumbers.of(self.card)

    @property
    def team_numbers(self) -> CardNumbers:
        return CardNumbers.total(line.numbers for line in self.team)

    @property
    def wins_shown(self) -> list[Celebration]:
        return self.wins[:MY_WINS_SHOWN]

    @property
    def wins_more(self) -> int:
        return max(0, len(self.wins) - MY_WINS_SHOWN)

    @property
    def team_wins_shown(self) -> list[Celebration]:
        return self.team_wins[:TEAM_WINS_SHOWN]

    @property
    def team_wins_more(self) -> int:
        return max(0, len(self.team_wins) - TEAM_WINS_SHOWN)

    @property
    def subject(self) -> str:
        mine, team = self.numbers, self.team_numbers
        kept = f"{mine.kept}/{mine.kept_of} commitments kept" if mine.kept_of else "no commitments"
        mine_text = f"{_plural(mine.wins, 'stage win')}, {kept}"
        if self.team:
            return (f"Week of {self.week.label} · you: {mine_text}; "
                    f"{self.team_name}: {_plural(team.wins, 'stage win')}")
        return f"Your week of {self.week.label}: {mine_text}"


def _link(name: str, fallback: str = "accountability:my_week", **kwargs) -> str:
    try:
        path = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        path = reverse(fallback)
    return settings.SITE_URL.rstrip("/") + path


def _judged(c: Commitment, card: WeeklyScorecard | None) -> Commitment:
    c.goal = commitment_target({"kind": c.kind, "target": c.target})
    actual = c.actual
    if actual is None and card is not None:
        actual = card.commitment_actuals.get(str(c.pk), 0)
    c.progress = actual or 0
    if c.status != Commitment.Status.OPEN:
        c.verdict = c.status
    else:
        c.verdict = "kept" if c.goal > 0 and c.progress >= c.goal else "missed"
    if c.goal <= 0:
        c.verdict = "no target"
    return c


def weekly_digests(*, agency: Agency, week_start: dt.date) -> list[Digest]:
    """One digest per producer who wants one (and has an email address) and had joined by
    the week's end: nobody is told about a week from before they were there. Six queries, and
    the leader alerts' four (coaching/alerts.py) when a leader is among them."""
    week = Week(week_start, agency.tz)
    recipients = list(
        Producer.objects.filter(agency=agency, is_active=True, digest_enabled=True,
                                created_at__lt=week.ends)
        .exclude(role=Producer.Role.NON_PRODUCER).exclude(user__email="")
        .select_related("user", "team").order_by("pk"))
    if not recipients:
        return []
    for p in recipients:  # the email names the agency: no query per recipient for it
        p.agency = agency
    cards = {c.producer_id: c for c in WeeklyScorecard.objects.filter(
        agency=agency, week_start=week.start)}
    commitments: dict[tuple[int, dt.date], list[Commitment]] = {}
    for c in (Commitment.objects.filter(agency=agency, week_start__in=[week.start, week.next.start])
              .select_related("activity_type", "stage").order_by("id")):
        commitments.setdefault((c.producer_id, c.week_start), []).append(c)
    celebrations = list(Celebration.objects.filter(agency=agency, week_start=week.start)
                        .select_related("producer__user").order_by("-occurred_at", "-id"))
    for c in celebrations:
        c.highlight = _is_highlight(c)
    leaders = any(p.is_leader for p in recipients)
    everyone = list(selling_producers(agency)) if leaders else []
    alerts = agency_alerts(agency) if leaders else []

    # The team link opens the board on the week the email is about, not on the new week.
    links = {"week": _link("accountability:my_week"),
             "commitments": _link("accountability:commitments"),
             "team": _link("accountability:team") + f"?week={week.isoformat()}",
             "profile": _link("profile"), "site": settings.SITE_URL.rstrip("/")}
    digests = []
    for p in recipients:
        card = cards.get(p.pk)
        digest = Digest(
            producer=p, week=week, card=card,
            commitments=[_judged(c, card) for c in commitments.get((p.pk, week.start), [])],
            next_commitments=commitments.get((p.pk, week.next.start), []),
            wins=sorted((c for c in celebrations if c.producer_id == p.pk),
                        key=lambda c: not c.highlight),
            links=links)
        if p.is_leader:
            _add_team(digest, everyone, cards, celebrations)
            # The same alerts as the leader's home (led_by: the team, not themself).
            digest.alerts = [a for a in alerts if a.producer_id != p.pk
                             and (p.is_owner or (p.team_id and a.team_id == p.team_id))]
        digests.append(digest)
    return digests


def _add_team(digest: Digest, everyone: list[Producer], cards: dict[int, WeeklyScorecard],
              celebrations: list[Celebration]) -> None:
    """A leader's digest adds their team; an owner's the whole agency (without anyone who
    joined after the week, unless the ledgers placed them on its board)."""
    p = digest.producer
    members = [q for q in everyone if (p.is_owner or q.team_id == p.team_id)
               and (q.pk in cards or q.created_at < digest.week.ends)]
    ids = {q.pk for q in members}
    digest.team_name = "the agency" if p.is_owner else (
        f"team {p.team.name}" if p.team else "your team")
    digest.team = [TeamLine(producer=q, numbers=CardNumbers.of(cards.get(q.pk)))
                   for q in members]
    # Highlights first (stable: each group stays newest first).
    digest.team_wins = sorted((c for c in celebrations if c.producer_id in ids),
                              key=lambda c: not c.highlight)


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    context = {"d": digest, "agency": digest.producer.agency}
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=render_to_string("accountability/scorecards/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.producer.user.email])
    message.attach_alternative(
        render_to_string("accountability/scorecards/email/digest.html", context), "text/html")
    return message


def digests_send(*, agency: Agency, week_start: dt.date) -> int:
    """Send the week's digests exactly once; returns how many went out (0 when already sent,
    or when the week is not closed yet).

    The closure row is locked while sending, so two workers cannot both send; each message is
    sent on its own so one bad address does not stop (or later repeat) the others.
    """
    with transaction.atomic():
        closure = (WeekClosure.objects.select_for_update()
                   .filter(agency=agency, week_start=week_start).first())
        if closure is None or closure.digests_sent:
            return 0
        messages = [digest_message(d) for d in weekly_digests(agency=agency,
                                                                week_start=week_start)]
        sent = 0
        with get_connection() as connection:
            for message in messages:
                try:
                    sent += connection.send_messages([message]) or 0
                except Exception:
                    logger.exception("Weekly digest to %s failed; it is not retried.",
                                     message.to)
        if sent:
            closure.digests_sent = sent
            closure.save(update_fields=["digests_sent"])
    return sent
