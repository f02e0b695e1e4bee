"""Import maps an X-date column and the other insurance columns (issue 15); a bad value is a
row problem; a re-import without those columns leaves them as they are."""

import datetime as dt
from decimal import Decimal

import pytest

from pipeline.imports.columns import guess_mapping
from pipeline.models import Prospect
from tests.conftest import login
from tests.pipeline.import_helpers import confirm, csv_bytes, upload_job

HEADER = ["Client", "Owner email", "Contact", "Phone", "Email", "Carrier", "Current premium",
          "Premium", "X-date", "Client type", "ID"]
ROWS = [
    ["Harbor Bakery", "pat@example.com", "Dana Reyes", "(312) 555-0142", "dana@harbor.example",
     "Travelers", "$18,400", "16900", "1/15/2027", "Business", "AMS-1"],
    ["Lopez Family", "pat@example.com", "", "", "", "State Farm", "2100", "", "2027-03-31",
     "", "AMS-2"],
]


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def test_the_insurance_columns_are_matched_by_their_usual_names():
    mapping = guess_mapping("prospects", HEADER)
    assert (mapping["x_date"], mapping["contact_name"], mapping["phone"], mapping["email"],
            mapping["owner_email"], mapping["current_carrier"], mapping["current_premium"],
            mapping["premium"], mapping["client_type"]) == (
        "X-date", "Contact", "Phone", "Email", "Owner email", "Carrier", "Current premium",
        "Premium", "Client type")
    assert guess_mapping("prospects", ["Name", "Renewal date"])["x_date"] == "Renewal date"


def test_an_x_date_column_is_imported(owner_client, producer, django_capture_on_commit_callbacks):
    job = confirm(owner_client, upload_job(owner_client, csv_bytes(ROWS, header=HEADER)),
                  django_capture_on_commit_callbacks)
    assert job.summary["created"] == 2, job.summary
    bakery = Prospect.objects.get(external_id="AMS-1")
    assert (bakery.x_date, bakery.client_type, bakery.contact_name, bakery.phone, bakery.email,
            bakery.current_carrier, bakery.current_premium, bakery.premium) == (
        dt.date(2027, 1, 15), "business", "Dana Reyes", "(312) 555-0142",
        "dana@harbor.example", "Travelers", Decimal("18400"), Decimal("16900"))
    lopez = Prospect.objects.get(external_id="AMS-2")
    assert (lopez.x_date, lopez.client_type, lopez.premium) == (dt.date(2027, 3, 31),
                                                                "household", None)


def test_a_bad_x_date_phone_or_premium_is_a_row_problem(owner_client, producer):
    bad = [["Harbor Bakery", "pat@example.com", "", "call me", "", "", "-5", "", "soon", "", ""]]
    job = upload_job(owner_client, csv_bytes(bad, header=HEADER))
    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "0 ready" in page
    assert "Bad date: X-date" in page and "Bad phone: call me" in page
    assert "Bad number: Current premium" in page


def test_a_reimport_without_the_columns_keeps_the_details(owner_client, producer,
                                                          django_capture_on_commit_callbacks):
    confirm(owner_client, upload_job(owner_client, csv_bytes(ROWS, header=HEADER)),
            django_capture_on_commit_callbacks)
    again = [["Harbor Bakery", "pat@example.com", "AMS-1"]]
    job = confirm(owner_client, upload_job(owner_client, csv_bytes(
        again, header=["Client", "Owner email", "ID"])), django_capture_on_commit_callbacks)
    assert job.status == "done", job.summary
    bakery = Prospect.objects.get(external_id="AMS-1")
    assert (bakery.x_date, bakery.phone) == (dt.date(2027, 1, 15), "(312) 555-0142")


def test_a_reimport_that_reprices_a_bound_prospect_marks_the_week_it_was_bound(
        owner_client, producer, django_capture_on_commit_callbacks):
    """The production numbers of the week a prospect was bound sum its premium: a file that
    corrects the premium queues that week's refresh, not only this week's."""
    from accountability.models import WeeklyScorecard
    from accountability.scorecards.refresh import scorecards_refresh
    from pipeline.services import prospect_advance
    from salesculture.models import DirtyWeek
    from salesculture.weeks import Week
    from tests.factories import stage

    confirm(owner_client, upload_job(owner_client, csv_bytes(ROWS, header=HEADER)),
            django_capture_on_commit_callbacks)
    bakery = Prospect.objects.get(external_id="AMS-1")
    bound_at = Week.current(producer.agency).begins - dt.timedelta(days=20)
    prospect_advance(prospect=bakery, to_stage=stage(producer.agency, "Bound"), actor=producer,
                     expected_stage=bakery.stage, occurred_at=bound_at)
    bound_week = Week.of(producer.agency, bound_at).start
    scorecards_refresh(agency=producer.agency, week_start=bound_week)
    assert WeeklyScorecard.objects.get(producer=producer, week_start=bound_week).premium_bound \
        == Decimal("16900")
    DirtyWeek.objects.all().delete()
    again = [["Harbor Bakery", "pat@example.com", "17250", "AMS-1"]]
    confirm(owner_client, upload_job(owner_client, csv_bytes(
        again, header=["Client", "Owner email", "Premium", "ID"])),
        django_capture_on_commit_callbacks)
    assert Prospect.objects.get(external_id="AMS-1").premium == Decimal("17250")
    # The import's refreshes ran (Celery is eager here): the bound week's card has the price.
    card = WeeklyScorecard.objects.get(producer=producer, week_start=bound_week)
    assert (card.bound, card.premium_bound) == (1, Decimal("17250"))
