"""Deleting a prospect (issue 11, #9) is a soft delete: it leaves the board, its pages, the
pickers, the meeting and the open pipeline, while its ledger rows stay and keep counting, and
its history stays readable on the owners' audit page."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.services import meeting_start
from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import Activity, Prospect, StageAdvance, StageWin
from pipeline.services import activity_log, prospect_advance, prospect_create, prospect_delete
from salesculture.models import AuditEvent
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory, activity_type, stage

BOARD = reverse("pipeline:board")


def text(response) -> str:
    return html.unescape(response.content.decode())


def delete_url(prospect) -> str:
    return reverse("pipeline:prospect_delete", args=[prospect.pk])


@pytest.fixture
def smith(producer, agency):
    """An open prospect with a win and an activity this week."""
    prospect = prospect_create(owner=producer, name="Smith Family Auto", estimated_revenue=5000)
    prospect_advance(prospect=prospect, to_stage=stage(agency, "Contacted"), actor=producer,
                     expected_stage=prospect.stage)
    activity_log(producer=producer, activity_type=activity_type(agency), quantity=3,
                 prospect=prospect)
    return prospect


def ledger() -> tuple[int, int, int]:
    return StageAdvance.objects.count(), StageWin.objects.count(), Activity.objects.count()


def test_the_producer_confirms_then_it_leaves_the_board_and_its_pages_404(producer_client,
                                                                         smith):
    # given: the confirmation page deletes nothing
    confirm = producer_client.get(delete_url(smith))
    assert confirm.status_code == 200 and "Delete Smith Family Auto?" in text(confirm)
    assert 'method="post"' in text(confirm) and "csrfmiddlewaretoken" in text(confirm)
    assert Prospect.objects.filter(pk=smith.pk).exists()

    # when
    response = producer_client.post(delete_url(smith))

    # then
    assert response.status_code == 302 and response["Location"] == BOARD
    board = text(producer_client.get(BOARD))
    assert "Deleted Smith Family Auto. Its activities and wins still count." in board
    assert "Smith Family Auto" not in board.replace("Deleted Smith Family Auto", "")
    for name in ("prospect", "prospect_edit", "prospect_card", "prospect_advance",
                 "prospect_delete"):
        assert producer_client.get(reverse(f"pipeline:{name}", args=[smith.pk])).status_code \
            == 404, name
    assert producer_client.post(reverse("pipeline:prospect_log", args=[smith.pk]),
                                {"activity_type": activity_type(smith.agency).pk}
                                ).status_code == 404
    stored = Prospect.all_objects.get(pk=smith.pk)
    assert stored.deleted_at is not None and stored.deleted_by_id == smith.owner_id


def test_the_prospect_page_offers_the_delete(producer_client, smith):
    page = text(producer_client.get(reverse("pipeline:prospect", args=[smith.pk])))
    assert f'href="{delete_url(smith)}"' in page


def test_whoever_may_edit_it_may_delete_it_and_no_one_else(client, smith, agency, team, leader,
                                                          owner):
    colleague = ProducerFactory(agency=agency, team=team)
    south_leader = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"),
                                   role="leader")
    for person in (colleague, south_leader):
        login(client, person)
        assert client.post(delete_url(smith)).status_code == 404
    assert Prospect.objects.filter(pk=smith.pk).exists()

    login(client, leader)
    response = client.post(delete_url(smith))

    # back to the board it was on: the producer's, as their leader sees it
    assert response["Location"] == f"{BOARD}?producer={smith.owner_id}"
    assert not Prospect.objects.filter(pk=smith.pk).exists()
    assert AuditEvent.objects.get(kind="prospect.deleted").actor == leader


def test_deleting_twice_records_once(smith, producer):
    prospect_delete(prospect=smith, actor=producer)
    prospect_delete(prospect=smith, actor=producer)
    assert AuditEvent.objects.filter(kind="prospect.deleted").count() == 1


def test_its_ledger_rows_stay_and_keep_counting_but_not_as_open_pipeline(smith, producer,
                                                                         agency):
    week = Week.current(agency).start
    scorecards_refresh(agency=agency, week_start=week)
    before = WeeklyScorecard.objects.get(producer=producer, week_start=week)
    assert (before.activities_total, before.wins, before.pipeline_open_count) == (3, 1, 1)
    rows = ledger()

    prospect_delete(prospect=smith, actor=producer)
    scorecards_refresh(agency=agency, week_start=week)

    card = WeeklyScorecard.objects.get(producer=producer, week_start=week)
    assert ledger() == rows
    assert (card.activities_total, card.wins) == (3, 1)
    assert (card.pipeline_open_count, card.pipeline_open_value) == (0, 0)
    # a ledger row still reaches its prospect
    assert StageAdvance.objects.filter(prospect_id=smith.pk).first().prospect.name == \
        "Smith Family Auto"


def test_a_week_that_ended_before_the_deletion_keeps_its_open_pipeline(producer, agency):
    last_week = Week.current(agency).previous
    prospect = prospect_create(owner=producer, name="Old Lead", estimated_revenue=800,
                               occurred_at=last_week.begins + dt.timedelta(days=1))

    prospect_delete(prospect=prospect, actor=producer)
    scorecards_refresh(agency=agency, week_start=last_week.start)

    card = WeeklyScorecard.objects.get(producer=producer, week_start=last_week.start)
    assert (card.pipeline_open_count, card.pipeline_open_value) == (1, 800)


def test_the_pickers_and_the_week_page_no_longer_offer_it(producer_client, smith, producer):
    prospect_create(owner=producer, name="Jones Bakery")
    prospect_delete(prospect=smith, actor=producer)

    for url in (reverse("accountability:commitments"), reverse("accountability:my_week")):
        page = text(producer_client.get(url))
        assert "Jones Bakery" in page, url
        # the week's win is still told, without a link to a page that is gone
        assert f'href="{reverse("pipeline:prospect", args=[smith.pk])}"' not in page, url
    commitments = text(producer_client.get(reverse("accountability:commitments")))
    assert f'<option value="{smith.pk}"' not in commitments
    assert "🎉 Smith Family Auto" in text(producer_client.get(reverse("accountability:my_week")))


def test_the_meeting_cannot_follow_up_a_deleted_prospect(client, smith, producer, leader, team):
    meeting = meeting_start(team=team, week_start=Week.current(team.agency).start, actor=leader)
    prospect_delete(prospect=smith, actor=producer)
    login(client, leader)

    response = client.post(reverse("accountability:meeting_follow_up", args=[meeting.pk]),
                           {"prospect": smith.pk})

    assert response.status_code == 404


def test_its_history_is_readable_on_the_audit_page(client, smith, producer, owner):
    login(client, producer)
    client.post(reverse("pipeline:prospect_edit", args=[smith.pk]), {
        "name": "Smith Family Auto", "line_of_business": "personal", "estimated_revenue": "7500",
        "next_step": "", "next_step_due": "", "source": ""})
    client.post(delete_url(smith))

    login(client, owner)
    page = text(client.get(reverse("audit")))

    assert "Pat Producer deleted prospect Smith Family Auto" in page
    assert "Pat Producer edited prospect Smith Family Auto" in page
    assert "Estimated revenue: $5,000 → $7,500" in page


def test_an_admin_delete_is_the_same_soft_delete(admin_client, smith):
    rows = ledger()
    url = reverse("admin:pipeline_prospect_delete", args=[smith.pk])
    assert admin_client.get(url).status_code == 200

    admin_client.post(url, {"post": "yes"})

    stored = Prospect.all_objects.get(pk=smith.pk)
    assert stored.deleted_at is not None and ledger() == rows
    event = AuditEvent.objects.get(kind="prospect.deleted")
    assert event.actor is None and event.subject_label == "Smith Family Auto"


def test_the_admins_bulk_delete_is_a_soft_delete_too(admin_client, smith, producer):
    other = prospect_create(owner=producer, name="Jones Bakery")
    admin_client.post(reverse("admin:pipeline_prospect_changelist"),
                      {"action": "delete_selected", "_selected_action": [smith.pk, other.pk],
                       "post": "yes"})

    assert not Prospect.objects.exists()
    assert Prospect.all_objects.filter(deleted_at__lte=timezone.now()).count() == 2
    assert AuditEvent.objects.filter(kind="prospect.deleted").count() == 2
