"""Who needs a leader's attention this week, and why (the rules are in rules.py).

Set-based: six queries for a team of any size (team_alerts). The people a leader sees, with
whether each logged anything lately, are read every time (a quick-log anywhere changes it);
each slower rule (and the week's dismissals) is worked out for the whole agency, a person at
a time, and on the pages kept until what it reads changes (salesculture/agency_cache.py), so
every leader's look and the owner's share one computation, and a person saved (a team move,
a new hire) changes only whom a look lists. A dismissed alert stays hidden for the week it
was dismissed in.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Activity
from salesculture.agency_cache import (
    CHECK_INS,
    COMMITMENTS,
    DISMISSALS,
    HISTORY,
    ONE_ON_ONES,
    PLANS,
    agency_cached_many,
)
from salesculture.models import Agency, Producer
from salesculture.numbers import number_text
from salesculture.selectors import person_name, producers_visible_to
from salesculture.weeks import Week, local_now

from ..models import AlertDismissal, Commitment, ConfidenceCheckIn, OneOnOne
from ..planning.rolefit import agency_role_fit_flags
from .rules import (
    CONFIDENCE,
    CONFIDENCE_SPAN_WEEKS,
    FOLLOW_UP,
    MISSED,
    MISSED_WEEKS_IN_A_ROW,
    QUIET,
    QUIET_WORKING_DAYS,
    ROLE_FIT,
    RULES,
    confidence_drop,
    quiet_since,
)

ALERTS_SHOWN = 8  # on the home page; the rest are one link away


@dataclass(frozen=True)
class Alert:
    producer_id: int
    name: str
    team_id: int | None
    rule: str
    reason: str
    # Where "Look" leads: a view and its one argument. Made into a URL only when shown: an
    # owner's page shows 40 of what can be hundreds.
    view: str
    view_arg: int

    @property
    def title(self) -> str:
        return RULES[self.rule]

    @property
    def url(self) -> str:
        return reverse(self.view, args=[self.view_arg])


ALERTS_PER_PAGE = 40  # on the alerts page: an owner of 500 can have hundreds


def alerts_context(actor: Producer, *, limit: int | None = ALERTS_SHOWN, form=None,
                   query: QueryDict | None = None) -> dict:
    """The alerts partial's context. On the home page (`limit`) the first few and how many
    more; on the alerts page (`limit` None) a page of ALERTS_PER_PAGE, narrowed to one rule
    by `query` ("rule", "page": the page's own query string), with each rule's count."""
    alerts = alerts_for(actor)
    if limit is not None:
        shown = alerts[:limit]
        return {"alerts": shown, "alerts_more": len(alerts) - len(shown),
                "alerts_total": len(alerts), "dismiss_form": form}
    query = query or QueryDict()
    counts = Counter(a.rule for a in alerts)
    rule = query.get("rule") if query.get("rule") in counts else ""
    chosen = [a for a in alerts if a.rule == rule] if rule else alerts
    page = Paginator(chosen, ALERTS_PER_PAGE).get_page(query.get("page"))
    return {"alerts": page.object_list, "alerts_page": page, "alerts_more": 0,
            "alerts_total": len(alerts), "alerts_rule": rule, "dismiss_form": form,
            "alerts_rules": [(key, title, counts[key]) for key, title in RULES.items()
                             if counts[key]]}


def _day(day: dt.date) -> str:
    return f"{day:%a} {day:%b} {day.day}"


def _week(day: dt.date) -> str:
    return f"{day:%b} {day.day}"


def led_by(actor: Producer) -> QuerySet[Producer]:
    """The people whose alerts `actor` sees: those they lead who sell (not themself; an owner
    is nobody's to coach but another owner's)."""
    people = (producers_visible_to(actor).filter(is_active=True)
              .exclude(role=Producer.Role.NON_PRODUCER).exclude(pk=actor.pk))
    return people if actor.is_owner else people.exclude(role=Producer.Role.OWNER)


def alerts_for(actor: Producer, *, now: dt.datetime | None = None) -> list[Alert]:
    """The alerts of the people `actor` leads: as of `now` when given, else today's, kept
    between changes (salesculture/agency_cache.py)."""
    if not actor.is_leader:
        return []
    if now is not None:
        return team_alerts(actor.agency, led_by(actor), now=now)
    key = ("alerts", local_now(actor.agency).date())
    return team_alerts(actor.agency, led_by(actor), keep=lambda slower: agency_cached_many(
        actor.agency, {rule: (topics, (*key, rule), compute)
                       for rule, (topics, compute) in slower.items()}, people=False))


def agency_alerts(agency: Agency, *, now: dt.datetime | None = None) -> list[Alert]:
    """Everyone's alerts, for the weekly digest to share out by team."""
    people = (Producer.objects.filter(agency=agency, is_active=True)
              .exclude(role=Producer.Role.NON_PRODUCER))
    return team_alerts(agency, people, now=now)


def team_alerts(agency: Agency, people: QuerySet[Producer], *,
                now: dt.datetime | None = None, keep: Callable | None = None) -> list[Alert]:
    """The alerts about `people` (a queryset of the agency's producers), by name then rule,
    without those dismissed this week. The people with whether each logged anything in the
    quiet span are read every time (one query: a quick-log anywhere changes it); each slower
    rule and this week's dismissals, the agency's whole (one query each), through `keep` when
    given (alerts_for keeps each between changes to what it reads), else computed."""
    now = now or timezone.now()
    today = now.astimezone(agency.tz).date()
    week = Week.of(agency, today)
    since = quiet_since(today)
    begins = dt.datetime.combine(since, dt.time.min, tzinfo=agency.tz)
    rows = list(people.annotate(
        joined_before=ExpressionWrapper(Q(created_at__lt=begins), output_field=BooleanField()),
        active_since=Exists(Activity.objects.filter(producer=OuterRef("pk"),
                                                    occurred_at__gte=begins)))
        .order_by("user__first_name", "user__last_name", "pk").values_list(
            "pk", "user__first_name", "user__last_name", "user__username", "team_id",
            "joined_before", "active_since"))
    if not rows:
        return []
    slower = _slower_rules(agency, week=week, today=today, kept=keep is not None)
    found = (keep(slower) if keep is not None
             else {name: compute() for name, (_, compute) in slower.items()})
    dismissed = found.pop(DISMISSED)
    quiet = (f"Nothing logged on the last {QUIET_WORKING_DAYS} working days "
             f"(since {_day(since)}).")
    alerts = []
    for pk, first, last_name, username, team_id, joined, active in rows:
        name = person_name(first, last_name, username)
        for rule in RULES:
            if rule == QUIET:
                # Someone who joined inside the span has not had the days to be quiet in.
                said = (quiet, ("accountability:drilldown", pk)) if joined and not active \
                    else None
            else:
                said = found[rule].get(pk)
            if said is not None and (pk, rule) not in dismissed:
                reason, (view, arg) = said
                alerts.append(Alert(pk, name, team_id, rule, reason, view, arg))
    return alerts


DISMISSED = "dismissed"
Said = dict[int, tuple[str, tuple[str, int]]]  # {person: (reason, (view, its argument))}


def _slower_rules(agency: Agency, *, week: Week, today: dt.date,
                  kept: bool) -> dict[str, tuple[tuple[str, ...], Callable]]:
    """Each rule but the quiet one, and this week's dismissals, for everyone in the agency
    (the caller picks the people it shows): what it reads (the topics of
    salesculture/agency_cache.py) and how to compute it (one query each; role fit's read
    from its kept judgement when `kept`). Of the agency's people, so a rule never depends on
    who is on which team."""
    ids = Producer.objects.filter(agency=agency).values("pk")
    last = [week.shift(-n).start for n in range(MISSED_WEEKS_IN_A_ROW, 0, -1)]
    return {
        CONFIDENCE: ((CHECK_INS,), lambda: _confidence(agency, week)),
        MISSED: ((COMMITMENTS, HISTORY), lambda: _missed(ids, last)),
        ROLE_FIT: ((HISTORY, PLANS), lambda: _role_fit(agency, kept=kept)),
        FOLLOW_UP: ((ONE_ON_ONES,), lambda: _follow_ups(agency, today)),
        DISMISSED: ((DISMISSALS,), lambda: set(
            AlertDismissal.objects.filter(agency=agency, week_start=week.start)
            .values_list("producer_id", "rule"))),
    }


def _missed(ids, last: list[dt.date]) -> Said:
    """Those with a commitment judged missed in each of the `last` weeks."""
    weeks = " and ".join(_week(w) for w in last)
    # A range, not `week_start IN (...)`: PostgreSQL reads a range off the partial index
    # (commitment_missed) but filters a list row by row.
    return {pk: (f"Commitments missed in the weeks of {weeks}.", ("accountability:drilldown", pk))
            for pk in (Commitment.objects.filter(producer__in=ids, week_start__gte=last[0],
                                                 week_start__lte=last[-1],
                                                 status=Commitment.Status.MISSED)
                       .order_by().values("producer")
                       .annotate(weeks=Count("week_start", distinct=True))
                       .filter(weeks=len(last)).values_list("producer", flat=True))}


def _follow_ups(agency: Agency, today: dt.date) -> Said:
    """Each person's overdue follow-up (a follow-up date passed with no one-on-one held after
    that conversation; the latest such date when there are several), if any: one query over
    the one-on-ones nobody has been met since."""
    said: Said = {}
    for pk, one_on_one, due in (
            OneOnOne.objects.filter(agency=agency, follow_up_on__lt=today)
            .exclude(Exists(OneOnOne.objects.filter(producer=OuterRef("producer"),
                                                    held_on__gt=OuterRef("held_on"))))
            .order_by("producer_id", "-follow_up_on", "-id")
            .values_list("producer_id", "pk", "follow_up_on")):
        if pk not in said:
            said[pk] = (f"A follow-up was due {_day(due)}.", ("accountability:one_on_one",
                                                               one_on_one))
    return said


def _role_fit(agency: Agency, *, kept: bool) -> Said:
    """`kept`: from role fit's kept judgement, as the pages read it; else judged now."""
    return {pk: (f"Conversation recommended: {flagged} of the last 13 weeks low on both kept "
                 "commitments and wins against plan.", ("accountability:role_fit_detail", pk))
            for pk, flagged in agency_role_fit_flags(agency, kept=kept).items()}


def _confidence(agency: Agency, week: Week) -> Said:
    span = [w.start for w in week.trailing(CONFIDENCE_SPAN_WEEKS + 1)]
    averages = defaultdict(list)
    for pk, start, *ratings in (ConfidenceCheckIn.objects
                                .filter(agency=agency, week_start__gte=min(span),
                                        week_start__lte=max(span))
                                .order_by("week_start")
                                .values_list("producer_id", "week_start", "process",
                                             "pipeline", "team")):
        averages[pk].append((start, sum(ratings) / 3))
    said = {}
    for pk, series in averages.items():
        if (drop := confidence_drop(series)) is not None:
            said[pk] = (f"Check-in average fell from {number_text(drop[0], 1)} to "
                        f"{number_text(drop[1], 1)} since the week of {_week(series[0][0])}.",
                        ("accountability:confidence_of", pk))
    return said
