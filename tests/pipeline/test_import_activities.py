"""Importing past activities and people."""

import datetime as dt

import pytest
from django.utils import timezone

from accountability.models import WeeklyScorecard
from pipeline.models import Activity, ImportJob, Prospect
from salesculture.models import Producer
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, stage
from tests.pipeline.import_helpers import confirm, csv_bytes, upload_job

ACTIVITY_HEADER = ["Date", "Producer email", "Type", "Quantity", "Prospect external id", "Note"]
PEOPLE_HEADER = ["Name", "Email", "Role", "Team", "Annual goal"]


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def _last_week(agency) -> dt.date:
    return Week.current(agency).previous.start + dt.timedelta(days=1)


def test_past_activities_import_and_reach_their_weeks_scorecards(
        owner_client, owner, producer, django_capture_on_commit_callbacks):
    tuesday = _last_week(owner.agency)
    Prospect.objects.create(agency=owner.agency, owner=producer, name="Acme", external_id="P-1",
                            stage=stage(owner.agency, "Lead"), stage_entered_at=timezone.now())
    rows = [[tuesday.isoformat(), "pat@example.com", "Call", "25", "", "Call block"],
            [tuesday.strftime("%m/%d/%Y"), "pat@example.com", "email", "4", "P-1", ""],
            ["2020-02-03", "olive@example.com", "Quote", "", "", ""]]
    job = upload_job(owner_client, csv_bytes(rows, ACTIVITY_HEADER), kind="activities")

    job = confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE and job.summary["created"] == 3
    email = Activity.objects.get(activity_type__name="Email")
    assert (email.quantity, email.prospect.name) == (4, "Acme")
    assert email.occurred_at.astimezone(owner.agency.tz).date() == tuesday
    card = WeeklyScorecard.objects.get(producer=producer, week_start=Week.current(
        owner.agency).previous.start)
    assert card.activities_total == 29
    assert WeeklyScorecard.objects.filter(producer=owner, week_start=dt.date(2020, 2, 3)).exists()

    # The same file again: the same activities, counted once.
    job = confirm(owner_client, upload_job(owner_client, csv_bytes(rows, ACTIVITY_HEADER),
                                           kind="activities"),
                  django_capture_on_commit_callbacks)
    assert (job.summary["created"], job.summary["updated"], job.summary["unchanged"]) == (0, 0, 3)
    assert Activity.objects.count() == 3


def test_bad_activity_rows_are_listed(owner_client, producer, other_agency):
    stranger = ProducerFactory(agency=other_agency, user__email="far@away.com")
    future = (timezone.now() + dt.timedelta(days=3)).date().isoformat()
    rows = [["2025-01-06", stranger.user.email, "Call", "1", "", ""],
            ["2025-01-06", "pat@example.com", "Smoke signal", "1", "", ""],
            [future, "pat@example.com", "Call", "1", "", ""],
            ["2025-01-06", "pat@example.com", "Call", "1000", "", ""],
            ["2025-01-06", "pat@example.com", "Call", "2", "NOPE", ""]]
    job = upload_job(owner_client, csv_bytes(rows, ACTIVITY_HEADER), kind="activities")

    page = owner_client.get(f"/import/{job.pk}/").content.decode()

    for text in ("Unknown producer: far@away.com", "Unknown activity type: Smoke signal",
                 "is in the future", "is not a whole number from 1 to 500",
                 "Unknown prospect: NOPE"):
        assert text in page


def test_people_import_creates_logins_without_passwords(owner_client, owner, team,
                                                        django_capture_on_commit_callbacks):
    rows = [["Avery Johnson", "Avery@Example.com", "Producer", "North", "150,000"],
            ["Casey Morgan", "casey@example.com", "Leader", "", "0"],
            ["Pat Again", "olive@example.com", "", "", "200000"]]
    job = upload_job(owner_client, csv_bytes(rows, PEOPLE_HEADER), kind="people")

    job = confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert job.summary["created"] == 2 and job.summary["updated"] == 1
    avery = Producer.objects.get(user__email="avery@example.com")
    assert (avery.name, avery.team, avery.role, avery.annual_goal) == (
        "Avery Johnson", team, "producer", 150000)
    assert not avery.user.has_usable_password()
    owner.refresh_from_db()
    assert owner.role == "owner" and owner.annual_goal == 200000  # a blank role keeps theirs


def test_a_leader_imports_people_only_as_producers_of_their_team(
        client, leader, producer, agency):
    other_team_member = ProducerFactory(agency=agency, team=None,
                                        user__email="elsewhere@example.com")
    login(client, leader)
    rows = [["New Producer", "new@example.com", "", "", ""],
            ["Would Be Owner", "boss@example.com", "Owner", "", ""],
            ["Moved", other_team_member.user.email, "", "", ""],
            ["Other Team", "x@example.com", "", "South", ""]]
    job = upload_job(client, csv_bytes(rows, PEOPLE_HEADER), kind="people")

    page = client.get(f"/import/{job.pk}/").content.decode()

    assert "1 ready" in page
    assert "Unknown role: Owner" in page and "Unknown team: South" in page
    assert "elsewhere@example.com is not a producer of your team" in page


def test_another_agencys_login_cannot_be_imported(owner_client, other_producer):
    rows = [["Stranger", other_producer.user.email, "", "", ""]]
    job = upload_job(owner_client, csv_bytes(rows, PEOPLE_HEADER), kind="people")
    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "is already the login of someone else" in page


def test_a_changed_quantity_updates_the_imported_activity(owner_client, producer,
                                                           django_capture_on_commit_callbacks):
    row = ["2025-01-07", "pat@example.com", "Call", "10", "", ""]
    confirm(owner_client, upload_job(owner_client, csv_bytes([row], ACTIVITY_HEADER),
                                     kind="activities"), django_capture_on_commit_callbacks)
    job = confirm(owner_client, upload_job(owner_client, csv_bytes(
        [[*row[:3], "12", "", "recounted"]], ACTIVITY_HEADER), kind="activities"),
        django_capture_on_commit_callbacks)

    assert (job.summary["created"], job.summary["updated"]) == (0, 1)
    activity = Activity.objects.get()
    assert (activity.quantity, activity.note) == (12, "recounted")


def test_a_leader_with_no_team_changes_no_one(client, agency, producer):
    lone = ProducerFactory(agency=agency, team=None, role="leader")
    login(client, lone)
    rows = [["Pat Renamed", producer.user.email, "", "", "500000"]]
    job = upload_job(client, csv_bytes(rows, PEOPLE_HEADER), kind="people")
    assert "is not a producer of your team" in client.get(f"/import/{job.pk}/").content.decode()
