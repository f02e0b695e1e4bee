"""CSV exports: streamed, scoped to what the person may see, formula cells escaped."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from pipeline.exports import cell_safe
from pipeline.models import Prospect
from pipeline.services import prospect_advance, prospect_create
from tests.conftest import login
from tests.factories import ActivityFactory, ProducerFactory, ProspectFactory, stage
from tests.pipeline.import_helpers import confirm, upload_job
from tests.queries import queries_of

TODAY = timezone.localdate()
PERIOD = {"start": (TODAY - dt.timedelta(days=30)).isoformat(), "end": TODAY.isoformat()}


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming  # written a line at a time, never built in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def world(agency, team, producer, leader, owner, other_agency):
    """Two colleagues in the team, one outside it, a stranger in another agency."""
    outsider = ProducerFactory(agency=agency, team=None, user__first_name="Outa")
    stranger = ProducerFactory(agency=other_agency)
    for person in (producer, leader, outsider, stranger):
        prospect = prospect_create(owner=person, name=f"Deal of {person.user.first_name}")
        prospect_advance(prospect=prospect, to_stage=stage(person.agency, "Contacted"),
                         actor=person, expected_stage=prospect.stage)
        ActivityFactory(producer=person, note=f"Call by {person.user.first_name}")
    return {"outsider": outsider, "stranger": stranger}


@pytest.mark.parametrize(("who", "names"), [
    ("producer", ["Deal of Pat"]),
    ("leader", ["Deal of Lee", "Deal of Pat"]),
    ("owner", ["Deal of Lee", "Deal of Outa", "Deal of Pat"]),
])
def test_each_export_holds_only_what_the_person_may_see(client, world, who, names, request):
    login(client, request.getfixturevalue(who))

    prospects = rows_of(client.get("/export/prospects.csv"))
    activities = rows_of(client.get("/export/activities.csv", PERIOD))
    ledger = rows_of(client.get("/export/ledger.csv", PERIOD))

    assert sorted(row[0] for row in prospects[1:]) == names
    assert sorted(row[3] for row in ledger[1:]) == sorted(names * 2)  # creation and the move
    people = sorted(name.removeprefix("Deal of ") for name in names)
    assert sorted(row[5].removeprefix("Call by ") for row in activities[1:]) == people


def test_the_ledger_marks_wins_and_imported_rows(client, owner, producer,
                                                 django_capture_on_commit_callbacks):
    login(client, owner)
    data = b"Name,Owner email,Stage\r\nImported Co,pat@example.com,Contacted\r\n"
    confirm(client, upload_job(client, data), django_capture_on_commit_callbacks)
    live = prospect_create(owner=producer, name="Live Co")
    prospect_advance(prospect=live, to_stage=stage(owner.agency, "Contacted"), actor=producer,
                     expected_stage=live.stage)

    ledger = rows_of(client.get("/export/ledger.csv", PERIOD))

    header, *rows = ledger
    assert header[:9] == ["When", "Producer email", "Producer", "Prospect",
                          "Prospect external id", "From stage", "To stage", "Stage wins",
                          "Source"]
    by_prospect = {(row[3], row[5], row[6]): (row[7], row[8]) for row in rows}
    assert by_prospect[("Imported Co", "", "Contacted")] == ("0", "Imported")
    assert by_prospect[("Live Co", "Lead", "Contacted")] == ("1", "Moved in the app")


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)",
                                   "\tcmd", "\rcmd"])
def test_formula_cells_are_escaped(client, producer, value):
    ProspectFactory(owner=producer, name=value, source=value)
    login(client, producer)

    header, row = rows_of(client.get("/export/prospects.csv"))

    assert row[0] == "'" + value and row[header.index("Source")] == "'" + value


def test_plain_cells_and_numbers_are_left_alone():
    assert [cell_safe(v) for v in ("Acme", "a=b", 5, -3, None)] == ["Acme", "a=b", 5, -3, ""]


def test_an_export_imports_back_without_duplicates(client, owner, producer,
                                                   django_capture_on_commit_callbacks):
    ProspectFactory(owner=producer, name="Round Trip", external_id="RT-1", source="Web")
    ProspectFactory(owner=producer, name="No Id", estimated_revenue=900)
    login(client, owner)
    exported = b"".join(client.get("/export/prospects.csv").streaming_content)

    job = confirm(client, upload_job(client, exported), django_capture_on_commit_callbacks)

    assert (job.summary["created"], job.summary["updated"], job.summary["unchanged"]) == (0, 0, 2)
    assert Prospect.objects.count() == 2


def test_the_prospect_export_carries_the_insurance_details_and_imports_them_back(
        client, owner, producer, django_capture_on_commit_callbacks):
    """The columns a renewal desk works from (issue 15) are in the file, under the names the
    import reads: a file exported, emptied of them in the app, and imported back restores them."""
    import datetime as dt
    from decimal import Decimal

    ProspectFactory(owner=producer, name="Harbor Bakery", external_id="AMS-1",
                    client_type="business", contact_name="Dana Reyes", phone="(312) 555-0142",
                    email="dana@harbor.example", current_carrier="Travelers",
                    current_premium=Decimal("18400"), premium=Decimal("16900"),
                    x_date=dt.date(2027, 1, 15))
    login(client, owner)
    exported = b"".join(client.get("/export/prospects.csv").streaming_content)
    row = dict(zip(*list(csv.reader(io.StringIO(exported.decode("utf-8-sig")))), strict=True))
    assert (row["Household or business"], row["Contact name"], row["Phone"], row["Email"],
            row["Current carrier"], row["Current premium"], row["Premium"], row["X-date"]) == (
        "Business", "Dana Reyes", "(312) 555-0142", "dana@harbor.example", "Travelers",
        "18400.00", "16900.00", "2027-01-15")

    Prospect.objects.update(contact_name="", phone="", email="", current_carrier="",
                            current_premium=None, premium=None, x_date=None)
    job = confirm(client, upload_job(client, exported), django_capture_on_commit_callbacks)
    assert job.summary["updated"] == 1, job.summary
    bakery = Prospect.objects.get(external_id="AMS-1")
    assert (bakery.contact_name, bakery.phone, bakery.email, bakery.current_carrier,
            bakery.current_premium, bakery.premium, bakery.x_date) == (
        "Dana Reyes", "(312) 555-0142", "dana@harbor.example", "Travelers", Decimal("18400"),
        Decimal("16900"), dt.date(2027, 1, 15))


@pytest.mark.parametrize(("query", "message"), [
    ({}, "Choose the first day."),
    ({"start": "2025-02-30", "end": "2025-03-01"}, "Enter a date like 2025-01-31."),
    ({"start": "2025-03-02", "end": "2025-03-01"}, "The last day cannot be before the first."),
    ({"start": "2015-01-01", "end": "2025-03-01"}, "at most five years"),
])
@pytest.mark.parametrize("url", ["/export/activities.csv", "/export/ledger.csv"])
def test_a_bad_period_is_answered_on_the_page(producer_client, url, query, message):
    response = producer_client.get(url, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Check the dates: nothing was downloaded." in page


def test_the_export_page_lists_the_four_exports(producer_client):
    page = producer_client.get("/export/").content.decode()
    for text in ("Prospects", "Activities", "Stage ledger", "Weekly scorecards",
                 "/export/scorecards.csv", "Your own rows"):
        assert text in page


def test_an_exports_queries_do_not_grow_with_its_rows(client, owner, producer):
    login(client, owner)
    ProspectFactory(owner=producer)
    ActivityFactory(producer=producer)
    few = [queries_of(_consumed, client, url) for url in _URLS]
    for _ in range(30):
        ProspectFactory(owner=producer)
        ActivityFactory(producer=producer)
    assert [queries_of(_consumed, client, url) for url in _URLS] == few


_URLS = ["/export/", "/export/prospects.csv", f"/export/activities.csv?start={PERIOD['start']}"
         f"&end={PERIOD['end']}", f"/export/ledger.csv?start={PERIOD['start']}&end={PERIOD['end']}"]


def _consumed(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response
