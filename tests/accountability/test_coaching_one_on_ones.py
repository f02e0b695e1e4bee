"""One-on-ones: who may see them (the producer, their leaders, owners; anyone else 404), the
producer's side, agreed actions becoming next week's commitments exactly once, the role-fit
conversation and its outcome on the role-fit pages, and query counts that do not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Commitment, OneOnOne, OneOnOneAction
from salesculture.models import AuditEvent
from salesculture.weeks import Week
from tests.accountability.coaching_data import one_on_one_with_action
from tests.accountability.test_rolefit import BAD, GOOD, history, plan_with_pace
from tests.conftest import login
from tests.factories import ConfidenceCheckInFactory, ProducerFactory, TeamFactory
from tests.queries import queries_of

NEW = reverse("accountability:one_on_one_new")


def _url(one_on_one, name="accountability:one_on_one"):
    return reverse(name, args=[one_on_one.pk])


def _record(client, producer, **extra):
    today = timezone.now().astimezone(producer.agency.tz).date()
    data = {"producer": producer.pk, "held_on": today.isoformat(),
            "notes": "Pipeline is thin; wants more referrals.",
            "actions": "Ask three clients for a referral\nBook two discovery calls",
            "commit_actions": "on", "follow_up_on": (today + dt.timedelta(days=7)).isoformat(),
            "outcome": "", "client_token": "tok-1", **extra}
    return client.post(NEW, data)


# --- recording, and actions becoming commitments -----------------------------------------------

def test_a_leader_records_a_one_on_one_and_its_actions_become_next_weeks_commitments(
        client, leader, producer, agency):
    login(client, leader)
    response = _record(client, producer)
    one_on_one = OneOnOne.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(one_on_one)
    next_week = Week.current(agency).next.start
    promises = Commitment.objects.filter(producer=producer, week_start=next_week)
    assert sorted(promises.values_list("text", flat=True)) == [
        "Ask three clients for a referral", "Book two discovery calls"]
    assert all(p.made_by_id == leader.pk for p in promises)
    page = client.get(_url(one_on_one)).content.decode()
    assert page.count(f"Commitment, week of {next_week:%b} {next_week.day}") == 2
    assert AuditEvent.objects.filter(kind="one_on_one.recorded").count() == 1
    # The history names the conversation, never its notes.
    assert "referrals" not in str(AuditEvent.objects.get(kind="one_on_one.recorded").changes)


def test_the_same_form_submitted_twice_records_once_and_commits_once(client, leader, producer):
    login(client, leader)
    _record(client, producer)
    _record(client, producer)
    assert OneOnOne.objects.count() == 1
    assert OneOnOneAction.objects.count() == 2
    assert Commitment.objects.filter(producer=producer).count() == 2


def test_without_the_box_actions_stay_actions_until_committed_once(client, leader, producer,
                                                                   agency):
    login(client, leader)
    _record(client, producer, commit_actions="")
    assert not Commitment.objects.exists()
    one_on_one = OneOnOne.objects.get()
    action = one_on_one.actions.first()
    url = reverse("accountability:one_on_one_action_commit", args=[one_on_one.pk, action.pk])
    client.post(url)
    client.post(url)
    commitment = Commitment.objects.get()
    assert commitment.text == action.text
    assert commitment.week_start == Week.current(agency).next.start
    action.refresh_from_db()
    assert action.commitment_id == commitment.pk


def test_bad_input_is_answered_next_to_the_field_and_saves_nothing(client, leader, producer):
    login(client, leader)
    future = (timezone.now() + dt.timedelta(days=30)).date().isoformat()
    response = _record(client, producer, held_on=future,
                       actions="\n".join(f"Action {n}" for n in range(7)))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Agree at most 5 actions" in page
    assert not OneOnOne.objects.exists() and not Commitment.objects.exists()
    response = _record(client, producer, held_on="yesterday")
    assert "Enter a date like" in response.content.decode()
    response = _record(client, producer, follow_up_on="2001-01-01")
    assert "The follow-up comes after the one-on-one." in response.content.decode()
    assert not OneOnOne.objects.exists()


def test_a_producer_cannot_record_one(client, producer, leader):
    login(client, producer)
    assert client.get(NEW).status_code == 404
    assert _record(client, leader).status_code == 404
    assert not OneOnOne.objects.exists()


# --- who sees it ----------------------------------------------------------------------------------

@pytest.fixture
def conversation(leader, producer, agency):
    ConfidenceCheckInFactory(producer=producer, week_start=Week.current(agency).start,
                             process=4, pipeline=2, team=3, note="Pipeline feels thin")
    return one_on_one_with_action(leader=leader, producer=producer,
                                  notes="Leader's private notes")


def test_the_producer_sees_their_own_with_the_check_in_beside_it(client, producer, conversation):
    login(client, producer)
    page = client.get(_url(conversation)).content.decode()
    assert "Leader&#x27;s private notes" in page
    assert "Pipeline feels thin" in page and ">3.0<" in page  # this week's check-in, 4/2/3
    assert page.count("data-week=") == 13
    listing = client.get(reverse("accountability:one_on_ones")).content.decode()
    assert f'data-one-on-one="{conversation.pk}"' in listing


def test_the_producer_adds_their_side_but_cannot_edit_the_leaders_notes(client, producer,
                                                                        conversation):
    login(client, producer)
    saved = client.post(_url(conversation, "accountability:one_on_one_my_side"),
                        {"producer_notes": "I will block Tuesday mornings for calls."})
    assert saved.status_code == 302
    refused = client.post(_url(conversation, "accountability:one_on_one_edit"),
                          {"held_on": "2026-01-05", "notes": "Rewritten by the producer"})
    assert refused.status_code == 404
    conversation.refresh_from_db()
    assert conversation.producer_notes == "I will block Tuesday mornings for calls."
    assert conversation.notes == "Leader's private notes"
    page = client.get(_url(conversation)).content.decode()
    assert 'action="' + _url(conversation, "accountability:one_on_one_edit") not in page


def test_the_leader_edits_their_side_but_not_the_producers(client, leader, conversation):
    login(client, leader)
    response = client.post(_url(conversation, "accountability:one_on_one_edit"),
                           {"held_on": "2026-01-05", "notes": "Updated", "outcome":
                            "keep_coaching", "follow_up_on": "2026-01-19"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.notes, conversation.outcome) == ("Updated", "keep_coaching")
    assert client.post(_url(conversation, "accountability:one_on_one_my_side"),
                       {"producer_notes": "Not mine to write"}).status_code == 404
    assert AuditEvent.objects.get(kind="one_on_one.updated").changes["notes"] == ["…", "edited"]


@pytest.mark.parametrize("who", ["colleague", "south_leader", "other_agency_owner"])
def test_anyone_else_gets_404(client, agency, team, who, conversation, other_agency):
    person = {
        "colleague": lambda: ProducerFactory(agency=agency, team=team),
        "south_leader": lambda: ProducerFactory(agency=agency, role="leader",
                                                team=TeamFactory(agency=agency, name="South")),
        "other_agency_owner": lambda: ProducerFactory(agency=other_agency, role="owner"),
    }[who]()
    login(client, person)
    action = conversation.actions.get()
    for url in (_url(conversation), _url(conversation, "accountability:one_on_one_edit"),
                _url(conversation, "accountability:one_on_one_my_side"),
                reverse("accountability:one_on_one_action_commit",
                        args=[conversation.pk, action.pk])):
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {"notes": "x", "producer_notes": "x",
                                 "held_on": "2026-01-05"}).status_code == 404
    listing = client.get(reverse("accountability:one_on_ones")).content.decode()
    assert f'data-one-on-one="{conversation.pk}"' not in listing
    assert not Commitment.objects.exists()


def test_the_owner_sees_it(client, owner, conversation):
    login(client, owner)
    assert client.get(_url(conversation)).status_code == 200


# --- the role-fit conversation --------------------------------------------------------------------

def test_role_fit_starts_a_conversation_and_shows_its_outcome(client, leader, producer):
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [BAD] * 8)
    login(client, leader)
    detail = client.get(reverse("accountability:role_fit_detail", args=[producer.pk]))
    start = f"{NEW}?producer={producer.pk}&amp;from=role-fit"
    assert start in detail.content.decode()
    form = client.get(f"{NEW}?producer={producer.pk}&from=role-fit").content.decode()
    assert "Role fit: kept commitments and wins against plan were both low" in form
    assert f'<option value="{producer.pk}" selected>' in form
    weeks = Week.current(producer.agency).previous.trailing(8)
    _record(client, producer, outcome="keep_coaching",
            role_fit_weeks=",".join(w.isoformat() for w in weeks))
    assert len(OneOnOne.objects.get().role_fit_weeks) == 8
    for url in (reverse("accountability:role_fit"),
                reverse("accountability:role_fit_detail", args=[producer.pk])):
        assert "Decided: Keep and coach" in client.get(url).content.decode()


# --- cost -----------------------------------------------------------------------------------------

def _more(leader, producer, n):
    for _ in range(n):
        one = one_on_one_with_action(leader=leader, producer=producer)
        for i in range(3):
            OneOnOneAction.objects.create(one_on_one=one, text=f"Extra {i}", position=i + 1)


def test_list_and_detail_queries_do_not_grow(client, leader, producer, conversation):
    login(client, leader)
    listing, detail = reverse("accountability:one_on_ones"), _url(conversation)
    small = (queries_of(client.get, listing), queries_of(client.get, detail))
    _more(leader, producer, 12)
    for i in range(6):
        OneOnOneAction.objects.create(one_on_one=conversation, text=f"More {i}", position=9 + i)
    large = (queries_of(client.get, listing), queries_of(client.get, detail))
    assert small == large
    assert "More 5" in client.get(detail).content.decode()


def test_one_persons_conversations_page_on_newest_first_and_stay_theirs(client, leader,
                                                                         producer):
    for n in range(27):
        one_on_one_with_action(leader=leader, producer=producer, action="",
                               held_on=dt.date(2026, 1, 1) + dt.timedelta(days=n))
    login(client, leader)
    url = reverse("accountability:one_on_ones")
    first = client.get(url, {"producer": producer.pk}).content.decode()
    assert "1–25 of 27" in first and "← Newer" not in first
    assert f'href="?producer={producer.pk}&amp;page=2">Older →' in first
    older = client.get(url, {"producer": producer.pk, "page": 2}).content.decode()
    assert "26–27 of 27" in older and f'href="?producer={producer.pk}&amp;page=1">← Newer' in older
