"""Reads of one-on-ones, always through who is asking: the producer sees their own, a leader
those of the people they lead, an owner the agency's. Anyone else gets a 404."""

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from salesculture.models import Producer
from salesculture.selectors import producers_visible_to
from salesculture.weeks import Week

from ..confidence.selectors import ConfidenceWeek, confidence_panel
from ..models import OneOnOne, OneOnOneAction

PAGE_SIZE = 25


def _people(actor: Producer) -> QuerySet[Producer]:
    """Whose one-on-ones the actor sees: the people they see, less the owners unless the
    actor is one (an owner has no leader), but always themself."""
    people = producers_visible_to(actor)
    if not actor.is_owner:
        people = people.exclude(Q(role=Producer.Role.OWNER) & ~Q(pk=actor.pk))
    return people


def one_on_ones_visible_to(actor: Producer) -> QuerySet[OneOnOne]:
    people = _people(actor).values("pk")
    return (OneOnOne.objects.filter(agency=actor.agency, producer__in=people)
            .select_related("producer__user", "producer__team", "leader__user"))


def one_on_ones_page(actor: Producer, *, page: str | None,
                     producer: Producer | None = None) -> Page:
    """Newest first, a page at a time, each with its number of agreed actions."""
    qs = one_on_ones_visible_to(actor).annotate(action_count=Count("actions"))
    if producer is not None:
        qs = qs.filter(producer=producer)
    return Paginator(qs.order_by("-held_on", "-id"), PAGE_SIZE).get_page(page)


def one_on_one_get(*, actor: Producer, one_on_one_id) -> OneOnOne:
    """The one-on-one with its actions (and their commitments), or 404 when it is not the
    actor's to see."""
    actions = OneOnOneAction.objects.select_related("commitment").order_by("position", "id")
    try:
        return (one_on_ones_visible_to(actor)
                .prefetch_related(Prefetch("actions", queryset=actions))
                .get(pk=int(one_on_one_id)))
    except (OneOnOne.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such one-on-one.") from None


def action_get(*, actor: Producer, one_on_one: OneOnOne, action_id) -> OneOnOneAction:
    try:
        return one_on_one.actions.get(pk=int(action_id))
    except (OneOnOneAction.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such action.") from None


def may_lead(actor: Producer, producer: Producer) -> bool:
    """Whether `actor` records and edits one-on-ones with `producer` (someone they see,
    not themself, and an owner only if they are one)."""
    return (actor.is_leader and actor.pk != producer.pk
            and (actor.is_owner or not producer.is_owner))


def people_to_coach(actor: Producer) -> QuerySet[Producer]:
    """The form's choice of producer: everyone the actor leads who is active, not themself."""
    return (_people(actor).filter(is_active=True).exclude(pk=actor.pk)
            .order_by("user__first_name", "user__last_name", "pk"))


def confidence_strip(producer: Producer) -> list[ConfidenceWeek]:
    """The producer's 13 weeks of confidence (check-ins beside what the ledgers measure), as
    the confidence page reads them: shown beside the conversation."""
    return confidence_panel(producer)


def this_weeks_check_in(strip: list[ConfidenceWeek]):
    """The newest check-in of the strip (this week's, or the last one given)."""
    return next((row.check_in for row in reversed(strip) if row.check_in), None)


def next_week(producer: Producer) -> dt.date:
    return Week.current(producer.agency).next.start
