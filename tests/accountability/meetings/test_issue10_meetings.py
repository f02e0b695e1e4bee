"""Issue 10, the meeting and the TV link (#2, #12–#16): each case built through the services
and read off the page a user reads it on."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accountability.meetings import agenda
from accountability.meetings.forms import MeetingStartForm
from accountability.meetings.kiosk import kiosk_link_create, kiosk_link_revoke
from accountability.meetings.selectors import commitment_week, commitments_land_late
from accountability.meetings.services import (
    meeting_commitment_add,
    meeting_end,
    meeting_follow_up,
    meeting_move,
    meeting_notes_save,
    meeting_rate,
    meeting_reopen,
    meeting_start,
    meeting_turn_add,
    turn_note_save,
)
from accountability.models import Commitment, KioskLink, Meeting, MeetingTurn
from accountability.scorecards.refresh import scorecards_refresh
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import (
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    activity_type,
    stage,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


@pytest.fixture
def meeting(team, producer, leader, owner, last_week):
    return meeting_start(team=team, week_start=last_week, actor=leader)


def url(name, *args):
    return reverse(f"accountability:{name}", args=args)


def goto(meeting, section, turn=0, win=0):
    Meeting.objects.filter(pk=meeting.pk).update(section=section, turn_index=turn,
                                                 win_index=win, version=meeting.version + 1)
    meeting.refresh_from_db()


def turn_of(meeting, producer):
    return MeetingTurn.objects.get(meeting=meeting, producer=producer)


def at_clock(monkeypatch, moment: dt.datetime) -> None:
    """Every reader of "now" (weeks, the agency's day, the services) sees `moment`."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- #2 a zero target is "no target", grey, on the phone and on the TV -----------------------

def lines_of(page: str, text: str) -> str:
    """The <li> of the commitment line that says `text`."""
    return re.search(r'<li class="[^"]*line-[^"]*">(?:(?!</li>).)*' + re.escape(text)
                     + r"(?:(?!</li>).)*</li>", page, re.S).group(0)


def test_a_zero_target_reads_no_target_on_the_phone_and_the_tv(
        client, leader_client, agency, team, meeting, producer, leader, last_week):
    # given: a commitment of 0 calls (old data, or the admin) and an ordinary one, last week
    zero = CommitmentFactory(producer=producer, week_start=last_week, target=1,
                             activity_type=activity_type(agency))
    Commitment.objects.filter(pk=zero.pk).update(target=0)  # past the form's minimum of 1
    zero.refresh_from_db()
    kept = CommitmentFactory(producer=producer, week_start=last_week, kind="specific",
                             target=None, activity_type=None, text="Call the Acme CFO",
                             self_reported_done=True)
    scorecards_refresh(agency=agency, week_start=last_week, final=True)
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    tv_link = kiosk_link_create(team=team, actor=leader)

    # the leader's TV (driver and ?view=tv), the kiosk and the producer's phone
    pages = {
        "driver": leader_client.get(url("meeting", meeting.pk)).content.decode(),
        "tv view": leader_client.get(url("meeting", meeting.pk) + "?view=tv").content.decode(),
        "kiosk": client.get(url("kiosk", tv_link.token)).content.decode(),
    }
    login(client, producer)
    pages["phone"] = client.get(url("meeting_my_turn")).content.decode()
    for where, page in pages.items():
        line = lines_of(page, zero.describe())
        assert "no target" in line, where
        assert "line-no_target" in line, where
        assert "✓" not in line and "✗" not in line and "kept" not in line, where
        assert "✓" in lines_of(page, kept.describe()), where  # the other line is judged as before
    assert '<span class="muted">–</span>' in lines_of(pages["phone"], zero.describe())


# --- #12 a revoked TV link clears the screen (the browser half is tests/e2e) ---------------

def test_a_revoked_link_answers_410_with_nothing_of_the_team_and_unknown_stays_404(
        client, team, leader, producer):
    link = kiosk_link_create(team=team, actor=leader, label="Break room TV")
    assert "Pat Producer" in client.get(url("kiosk", link.token)).content.decode()
    kiosk_link_revoke(link=link, actor=leader)
    for response in (client.get(url("kiosk", link.token)),
                     client.get(url("kiosk_poll", link.token) + "?k=x", **HX)):
        page = response.content.decode()
        assert response.status_code == 410
        assert "This screen's link was revoked." in page
        assert "Pat Producer" not in page and "North" not in page and "Lee" not in page
        assert response["Cache-Control"] == "no-store"
    # the poll's answer is the message alone, which is what the TV clears itself to
    poll = client.get(url("kiosk_poll", link.token), **HX).content.decode()
    assert 'id="kiosk-screen"' not in poll and 'class="kiosk-revoked"' in poll
    unknown = link.token[:-2] + ("aa" if not link.token.endswith("aa") else "bb")
    assert client.get(url("kiosk", unknown)).status_code == 404
    assert client.get(url("kiosk_poll", unknown) + "?k=x", **HX).status_code == 404


def test_the_open_kiosk_carries_the_revoked_message_for_its_script(client, team, leader):
    link = kiosk_link_create(team=team, actor=leader)
    page = client.get(url("kiosk", link.token)).content.decode()
    template = page.split('<template id="kiosk-revoked-template">')[1].split("</template>")[0]
    assert "This screen's link was revoked." in template
    assert "North" not in template


# --- #13 the TV link names no client unless its maker chose to ------------------------------

def win(owner, week, name, to="Contacted"):
    start, _ = Week(week, owner.agency.tz).bounds
    prospect = ProspectFactory(owner=owner, name=name)
    StageAdvanceFactory(prospect=prospect, to_stage=stage(owner.agency, to),
                        occurred_at=min(start + dt.timedelta(hours=1),
                                        timezone.now() - dt.timedelta(minutes=5)))


@pytest.mark.parametrize("shown", [False, True])
def test_the_kiosk_board_and_reel_hide_prospect_names_unless_ticked(
        client, agency, team, leader, producer, last_week, shown):
    this_week = Week.current(agency).start
    win(producer, this_week, "Shaw Dental")
    scorecards_refresh(agency=agency, week_start=this_week)
    link = kiosk_link_create(team=team, actor=leader, show_prospect_names=shown)

    board = client.get(url("kiosk", link.token)).content.decode()
    assert ("Shaw Dental" in board) is shown
    if not shown:
        assert "Pat Producer moved a prospect to Contacted" in board

    # the meeting on the kiosk: the reel and the turn's wins
    win(producer, last_week, "Lakeside Vets", to="Appointment set")
    scorecards_refresh(agency=agency, week_start=last_week, final=True)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    reel = client.get(url("kiosk", link.token)).content.decode()
    assert 'class="reel pop"' in reel
    assert ("Lakeside Vets" in reel) is shown
    if not shown:
        assert "moved <strong>a prospect</strong> to" in reel
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    turn = client.get(url("kiosk_poll", link.token) + "?k=stale", **HX).content.decode()
    assert ("Lakeside Vets" in turn) is shown
    if not shown:
        assert "A prospect → Appointment set" in turn


def test_the_kiosk_hides_the_prospect_of_a_follow_up_and_the_stale_list(
        client, agency, team, leader, producer, meeting):
    stale = ProspectFactory(owner=producer, name="Shaw Dental", next_step="")
    meeting_follow_up(meeting=meeting, actor=leader, prospect=stale)
    link = kiosk_link_create(team=team, actor=leader)
    for section in ("pipeline", "wrap_up"):
        goto(meeting, section)
        page = client.get(url("kiosk", link.token)).content.decode()
        assert "Shaw Dental" not in page, section
    assert "A follow-up on a prospect" in page
    # the leader driving the meeting sees the names, as on every page a leader reads
    login(client, leader)
    assert "Shaw Dental" in client.get(url("meeting", meeting.pk)).content.decode()


def test_the_kiosk_form_offers_the_names_box_and_keeps_the_choice(leader_client, team):
    home = leader_client.get(url("meetings")).content.decode()
    assert "Show prospect names on this screen" in home
    assert 'name="show_prospect_names"' in home and "checked" not in home.split(
        'name="show_prospect_names"')[1].split(">")[0]
    leader_client.post(url("meeting_kiosk_create"), {"team": team.pk, "label": "Plain"})
    leader_client.post(url("meeting_kiosk_create"),
                       {"team": team.pk, "label": "Named", "show_prospect_names": "on"})
    assert dict(KioskLink.objects.values_list("label", "show_prospect_names")) == {
        "Plain": False, "Named": True}


# --- #14 one clock: the header and the wrap-up panel show the same numbers ------------------

def timers(html: str) -> dict:
    """Each clock's span as the header and the wrap-up panel render it."""
    def span(fragment: str) -> str:
        return re.search(r'<span class="timer"[^>]*>[^<]*</span>', fragment).group(0)
    header = html.split('<header class="stage-bar">')[1].split("</header>")[0]
    panel = html.split("<h3>Time</h3>")[1].split('<h3 class="mt">')[0]
    head_wrap = header.split('<span class="agenda-label">Wrap-up</span>')[1]
    panel_wrap = panel.split('<span class="line-text">Wrap-up</span>')[1]
    return {
        "header total": span(header.split('class="stage-total')[1]),
        "panel total": span(panel.split('class="wrap-total')[1]),
        "header wrap-up": span(head_wrap),
        "panel wrap-up": span(panel_wrap),
    }


def test_the_wrap_up_panel_and_the_header_show_one_clock(
        client, leader_client, team, leader, meeting):
    # given: 12 seconds before the wrap-up, then 9 seconds into it
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        section="wrap_up", section_started_at=now - dt.timedelta(seconds=9),
        section_seconds={"wins": 7, "turns": 3, "pipeline": 2}, version=meeting.version + 1)
    link = kiosk_link_create(team=team, actor=leader)
    for page in (leader_client.get(url("meeting", meeting.pk)).content.decode(),
                 client.get(url("kiosk", link.token)).content.decode()):
        clocks = timers(page)
        assert clocks["header total"] == clocks["panel total"]
        assert clocks["header wrap-up"] == clocks["panel wrap-up"]
        total = re.search(r'data-elapsed="(\d+)"', clocks["panel total"]).group(1)
        wrap = re.search(r'data-elapsed="(\d+)"', clocks["panel wrap-up"]).group(1)
        assert int(total) - int(wrap) == 12  # the sections before, as the header adds them
        assert 'data-running="1"' in clocks["panel total"]  # both tick on together
        assert 'data-running="1"' in clocks["panel wrap-up"]


# --- #15 re-open the same day; a Sunday meeting for last week -------------------------------

def test_a_meeting_ended_by_mistake_is_reopened_the_same_day(
        leader_client, team, leader, producer, meeting):
    goto(meeting, "wrap_up")
    meeting_end(meeting=meeting, actor=leader)
    minutes = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Re-open the meeting" in minutes
    response = leader_client.post(url("meeting_reopen", meeting.pk))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.ended_at, meeting.section) == (None, "wrap_up")
    screen = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert 'id="meeting-stage"' in screen and "End meeting" in screen
    # and it runs as before: commitments can be made again
    turn = turn_of(meeting, producer)
    meeting_commitment_add(meeting=meeting, turn=turn, actor=leader, kind="specific",
                           text="Call Acme back")
    assert Commitment.objects.filter(meeting=meeting).count() == 1


def test_the_time_it_stood_ended_is_not_counted(team, leader, meeting):
    goto(meeting, "wrap_up")
    ended = meeting_end(meeting=meeting, actor=leader)
    wrap_before = ended.section_seconds["wrap_up"]
    # Ended at noon of the agency's day, so 20 minutes later is the same day whenever this runs
    # (at 11:50 p.m. it would be tomorrow, past re-opening).
    noon = dt.datetime.combine(timezone.localdate(timezone=ended.agency.tz), dt.time(12),
                               tzinfo=ended.agency.tz)
    Meeting.objects.filter(pk=ended.pk).update(ended_at=noon)
    ended.refresh_from_db()
    later = noon + dt.timedelta(minutes=20)
    reopened = meeting_reopen(meeting=ended, actor=leader, now=later)
    assert reopened.section_started_at == later
    assert reopened.section_seconds["wrap_up"] == wrap_before
    assert reopened.version == ended.version + 1


def test_after_that_day_re_opening_is_refused_with_a_reason(
        leader_client, agency, team, leader, meeting):
    meeting_end(meeting=meeting, actor=leader)
    yesterday = timezone.now() - dt.timedelta(days=1, hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(ended_at=yesterday)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        meeting_reopen(meeting=meeting, actor=leader)
    assert "can be re-opened only on the day it ended" in refused.value.messages[0]
    minutes = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Re-open the meeting" not in minutes
    response = leader_client.post(url("meeting_reopen", meeting.pk), follow=True)
    assert "can be re-opened only on the day it ended" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.ended_at == yesterday


def test_the_day_is_the_agencys_day(agency, team, leader, meeting):
    # 11 p.m. in Chicago is tomorrow in UTC: still the day it ended there
    late = dt.datetime(2026, 11, 24, 23, 0, tzinfo=agency.tz)
    Meeting.objects.filter(pk=meeting.pk).update(ended_at=late - dt.timedelta(hours=2),
                                                 section="ended")
    meeting.refresh_from_db()
    assert meeting_reopen(meeting=meeting, actor=leader, now=late).ended_at is None
    assert agenda.reopen_refusal(ended_on=dt.date(2026, 11, 24), today=dt.date(2026, 11, 25))


def test_a_second_running_meeting_of_the_team_blocks_re_opening(team, leader, meeting):
    meeting_end(meeting=meeting, actor=leader)
    meeting_start(team=team, week_start=Week.current(team.agency).start, actor=leader)
    with pytest.raises(ValidationError):
        meeting_reopen(meeting=meeting, actor=leader)


SUNDAY = dt.datetime(2026, 11, 29, 10, 0)  # the week of Mon Nov 23 ends tonight
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0)


@pytest.mark.parametrize(("day", "default"), [(SUNDAY, "this"), (WEDNESDAY, "last")])
def test_the_start_form_defaults_to_the_week_that_makes_sense_that_day(
        monkeypatch, agency, leader, day, default):
    at_clock(monkeypatch, day.replace(tzinfo=agency.tz))
    form = MeetingStartForm(actor=leader)
    this_week = dt.date(2026, 11, 23)
    expected = this_week if default == "this" else this_week - dt.timedelta(days=7)
    assert form.initial["week"] == expected.isoformat()
    assert f'<option value="{expected.isoformat()}" selected>' in str(form["week"])
    assert form.week_is_ending is (default == "this")


def test_on_sunday_reviewing_this_week_commits_for_next_week(monkeypatch, agency, team, leader):
    at_clock(monkeypatch, SUNDAY.replace(tzinfo=agency.tz))
    meeting = meeting_start(team=team, week_start=dt.date(2026, 11, 23), actor=leader)
    assert commitment_week(meeting) == dt.date(2026, 11, 30)
    assert not commitments_land_late(meeting)


def test_a_sunday_meeting_for_last_week_warns_its_commitments_land_in_a_week_ending_today(
        monkeypatch, leader_client, agency, team, leader, producer):
    at_clock(monkeypatch, SUNDAY.replace(tzinfo=agency.tz))
    home = leader_client.get(url("meetings")).content.decode()
    assert "today is the week's last day, so review this week" in home
    response = leader_client.post(url("meeting_start"), {"team": team.pk, "week": "2026-11-16"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    warned = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("which ends today" in m for m in warned), warned
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    screen = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Commitments for the week of Nov 23" in screen
    assert "That week ends today" in screen
    # on a Wednesday the same meeting's week is not ending: no warning
    at_clock(monkeypatch, WEDNESDAY.replace(tzinfo=agency.tz) + dt.timedelta(days=7))
    assert "That week ends today" not in leader_client.get(
        url("meeting", meeting.pk)).content.decode()


# --- #16 every meeting service checks "an owner, or a leader of this team" -----------------

@pytest.fixture
def stranger(agency):
    """A leader of another team of the same agency."""
    south = TeamFactory(agency=agency, name="South")
    return ProducerFactory(agency=agency, team=south, role="leader",
                           user__first_name="Sol", user__last_name="South")


def snapshot(meeting):
    meeting.refresh_from_db()
    return (meeting.section, meeting.turn_index, meeting.win_index, meeting.version,
            meeting.rating, meeting.notes, meeting.ended_at,
            list(MeetingTurn.objects.filter(meeting=meeting).values_list("producer_id", "note")),
            Commitment.objects.count(), KioskLink.objects.count())


def test_another_teams_leader_cannot_start_this_teams_meeting(team, stranger, last_week):
    with pytest.raises(ValidationError):
        meeting_start(team=team, week_start=last_week, actor=stranger)
    assert not Meeting.objects.exists()


def test_another_teams_leader_is_refused_by_every_meeting_service(
        agency, team, leader, producer, stranger, meeting):
    # given: a running meeting on a turn, with a stale prospect and a latecomer
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    prospect = ProspectFactory(owner=producer, name="Shaw Dental", next_step="")
    latecomer = ProducerFactory(agency=agency, team=team)
    turn = turn_of(meeting, producer)
    before = snapshot(meeting)
    calls = {
        "move": lambda: meeting_move(meeting=meeting, actor=stranger, direction="next",
                                     seen=agenda.position_key(meeting)),
        "rate": lambda: meeting_rate(meeting=meeting, actor=stranger, rating=9),
        "notes": lambda: meeting_notes_save(meeting=meeting, actor=stranger, notes="mine"),
        "turn note": lambda: turn_note_save(turn=turn, actor=stranger, note="mine"),
        "commitment": lambda: meeting_commitment_add(
            meeting=meeting, turn=turn, actor=stranger, kind="specific", text="Call Acme"),
        "follow-up": lambda: meeting_follow_up(meeting=meeting, actor=stranger,
                                               prospect=prospect),
        "late turn": lambda: meeting_turn_add(meeting=meeting, actor=stranger,
                                              producer=latecomer),
        "kiosk link": lambda: kiosk_link_create(team=team, actor=stranger),
        "end": lambda: meeting_end(meeting=meeting, actor=stranger),
    }
    for name, call in calls.items():
        with pytest.raises(ValidationError):
            call()
        assert snapshot(meeting) == before, name
    # ended by its own leader, the stranger can neither re-open it nor revoke its TV link
    link = kiosk_link_create(team=team, actor=leader)
    meeting_end(meeting=meeting, actor=leader)
    ended = snapshot(meeting)
    with pytest.raises(ValidationError):
        meeting_reopen(meeting=meeting, actor=stranger)
    with pytest.raises(ValidationError):
        kiosk_link_revoke(link=link, actor=stranger)
    assert snapshot(meeting) == ended
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_owner_and_the_teams_own_leader_still_run_it(team, leader, owner, producer, meeting):
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    turn = turn_of(meeting, producer)
    meeting_commitment_add(meeting=meeting, turn=turn, actor=owner, kind="specific",
                           text="Owner's ask")
    meeting_commitment_add(meeting=meeting, turn=turn, actor=leader, kind="specific",
                           text="Leader's ask")
    assert meeting_rate(meeting=meeting, actor=owner, rating=8).rating == 8


def test_a_turn_of_another_meeting_is_refused(agency, team, leader, producer, stranger,
                                              meeting, last_week):
    south_meeting = meeting_start(team=stranger.team, week_start=last_week, actor=stranger)
    goto(meeting, "turns", turn=turn_of(meeting, producer).position)
    theirs = MeetingTurn.objects.filter(meeting=south_meeting).first()
    with pytest.raises(ValidationError):
        meeting_commitment_add(meeting=meeting, turn=theirs, actor=leader, kind="specific",
                               text="Not mine to promise")
    assert not Commitment.objects.exists()
