"""Sending the morning list: each producer who asked for it gets one email a working day, at
the hour they chose in their agency's time zone; never on a day the agency is closed.

The beat job (tasks.send_morning_lists, every five minutes) asks `morning_lists_due` who is
due now and queues one task per producer. That task claims the producer's day (a
MorningListSent row, unique per producer and local date) and sends in the same transaction:
a second run, or a second worker, finds the day claimed and sends nothing; a mail server that
is down rolls the claim back, so the retry sends it once."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from salesculture.closed_days import is_closed_on
from salesculture.models import Agency, MorningListSent, Producer
from salesculture.weeks import local_now

from .morning import MorningList, morning_list

logger = logging.getLogger(__name__)

# A beat that was down at the chosen hour still sends within this many hours; after that the
# day's list is skipped rather than sent in the afternoon.
CATCH_UP_HOURS = 2


def _wants_it(agency_id: int | None = None):
    people = (Producer.objects.filter(is_active=True, morning_list_enabled=True)
              .exclude(role=Producer.Role.NON_PRODUCER).exclude(user__email=""))
    return people.filter(agency_id=agency_id) if agency_id else people


def is_due(*, hour: int, local: dt.datetime) -> bool:
    return hour <= local.hour < hour + CATCH_UP_HOURS


def morning_lists_due(*, now: dt.datetime | None = None) -> list[tuple[int, dt.date]]:
    """(producer id, their local date) for everyone whose list is due now and not sent yet.
    Three queries however many agencies and producers."""
    now = now or timezone.now()
    agencies = list(Agency.objects.all())
    local = {a.pk: now.astimezone(a.tz) for a in agencies}
    open_today = [a.pk for a in agencies if not is_closed_on(a, local[a.pk].date())]
    candidates = [(p.pk, local[p.agency_id].date()) for p in
                  _wants_it().filter(agency_id__in=open_today).only("pk", "agency_id",
                                                                    "morning_list_hour")
                  if is_due(hour=p.morning_list_hour, local=local[p.agency_id])]
    if not candidates:
        return []
    sent = set(MorningListSent.objects.filter(
        producer_id__in=[pk for pk, _ in candidates],
        local_date__in={day for _, day in candidates}).values_list("producer_id", "local_date"))
    return [c for c in candidates if c not in sent]


def morning_list_send(*, producer_id: int, local_date: dt.date) -> bool:
    """Send the producer's list of `local_date` unless it went already, they no longer want
    it, the agency is closed that day, or that day is over. True when an email went out."""
    producer = (_wants_it().select_related("user", "agency", "team")
                .filter(pk=producer_id).first())
    if producer is None:
        return False
    agency = producer.agency
    if is_closed_on(agency, local_date) or local_now(agency).date() != local_date:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                MorningListSent.objects.create(producer=producer, local_date=local_date)
        except IntegrityError:
            return False  # claimed by an earlier run
        # Raising here (the mail server away) rolls the claim back, for the task's retry.
        sent = morning_message(morning_list(producer, today=local_date)).send()
    return bool(sent)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def morning_message(listed: MorningList) -> EmailMultiAlternatives:
    context = {"m": listed, "producer": listed.producer, "site": settings.SITE_URL.rstrip("/"),
               "links": {"week": _site(reverse("accountability:my_week")),
                         "settings": _site(reverse("accountability:morning_settings"))}}
    message = EmailMultiAlternatives(
        subject=listed.subject,
        body=render_to_string("accountability/week/email/morning.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[listed.producer.user.email])
    message.attach_alternative(
        render_to_string("accountability/week/email/morning.html", context), "text/html")
    return message


@transaction.atomic
def producer_morning_list_set(*, producer: Producer, enabled: bool, hour: int) -> Producer:
    """Opt in or out of the morning list email, and at which hour of the agency's day."""
    if hour not in range(24):
        raise ValidationError({"hour": "Choose an hour from the list."})
    producer.morning_list_enabled, producer.morning_list_hour = enabled, hour
    producer.save(update_fields=["morning_list_enabled", "morning_list_hour"])
    return producer
