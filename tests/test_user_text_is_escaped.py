"""User text (prospect names, notes, a why, a promise, team and TV-link labels) is shown
escaped on every page that shows it, in the digest email and in toasts (JSON in HX-Trigger,
shown with textContent)."""

import datetime as dt
import json

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.services import meeting_start, turn_note_save
from accountability.models import Commitment, KioskLink, WeekClosure
from accountability.scorecards.digest import digests_send
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import CommitmentFactory, activity_type, stage, where

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _assert_escaped(content: str, where: str):
    assert "<script>alert" not in content, where
    assert "<img src=x" not in content, where


def test_user_text_is_escaped_on_every_page_email_and_toast(client, agency, team, producer,
                                                           leader):
    producer.why = EVIL
    producer.save()
    team.name = EVIL[:80]
    team.save()
    prospect = prospect_create(owner=producer, name=EVIL[:120], estimated_revenue=1000,
                               next_step=EVIL[:200],
                               next_step_due=timezone.localdate() + dt.timedelta(days=1))
    prospect_advance(prospect=prospect,
                     expected_stage=where(prospect),
                     to_stage=stage(agency, "Contacted"), actor=producer,
                     note=EVIL, next_step=EVIL[:200],
                     next_step_due=timezone.localdate() + dt.timedelta(days=1))
    week = Week.current(agency).start
    CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC, text=EVIL[:200],
                      week_start=week)
    scorecards_refresh(agency=agency, week_start=week)
    meeting = meeting_start(team=team, week_start=week, actor=leader)
    turn = meeting.turns.get(producer=producer)
    turn_note_save(turn=turn, actor=leader, note=EVIL)
    link = KioskLink.objects.create(agency=agency, team=team, token="k" * 43, label=EVIL[:80],
                                    created_by=leader)

    pages = {
        producer: ["/week/", "/pipeline/", reverse("pipeline:prospect", args=[prospect.pk]),
                   reverse("pipeline:prospect_advance", args=[prospect.pk]), "/commitments/",
                   "/team/", "/profile/", "/plan/", "/meeting/turn/", "/confidence/",
                   "/funnel/", f"/team/producer/{producer.pk}/"],
        leader: ["/team/", f"/team/producer/{producer.pk}/", f"/pipeline/?producer={producer.pk}",
                 "/meeting/", reverse("accountability:meeting", args=[meeting.pk]),
                 reverse("accountability:meeting", args=[meeting.pk]) + "?view=tv",
                 "/role-fit/", f"/role-fit/{producer.pk}/", f"/plan/{producer.pk}/"],
    }
    for person, urls in pages.items():
        client.logout()
        login(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_escaped(response.content.decode(), url)
    # The meeting screen walks through every turn; each one shows the why and the note.
    seen_turn = False
    for _ in range(meeting.turns.count() + 3):
        response = client.post(reverse("accountability:meeting_move", args=[meeting.pk]),
                               {"direction": "next", "at": ""}, HTTP_HX_REQUEST="true")
        _assert_escaped(response.content.decode(), "meeting stage")
        seen_turn = seen_turn or "&lt;script&gt;" in response.content.decode()
    assert seen_turn
    client.logout()
    kiosk = client.get(reverse("accountability:kiosk", args=[link.token]))
    _assert_escaped(kiosk.content.decode(), "kiosk")

    # A toast carries the name as JSON text; app.js shows it with textContent.
    login(client, producer)
    response = client.post(reverse("pipeline:prospect_log", args=[prospect.pk]),
                           {"activity_type": activity_type(agency).pk, "quantity": 1},
                           HTTP_HX_REQUEST="true")
    toast = json.loads(response["HX-Trigger"])["toast"]["text"]
    assert EVIL[:120] in toast
    _assert_escaped(response.content.decode(), "activity partial")

    WeekClosure.objects.create(agency=agency, week_start=week, closed_at=timezone.now())
    digests_send(agency=agency, week_start=week)
    assert mail.outbox
    for message in mail.outbox:
        _assert_escaped(message.alternatives[0][0], f"digest to {message.to}")
        assert "\n" not in message.subject
