"""Issue 15 in the API: a prospect's insurance details go in on create, come back on read, and
change by PATCH (only what is sent); a bad one is refused next to its field."""

import pytest

from pipeline.models import Prospect


@pytest.fixture
def api(api_as, producer):
    return api_as(producer)


DETAILS = {"client_type": "business", "contact_name": "Dana Reyes", "phone": "(312) 555-0142",
           "email": "dana@acme.example", "current_carrier": "Travelers",
           "current_premium": "18400.00", "premium": "16900.00", "x_date": "2027-01-15"}


def test_the_details_round_trip(api, producer):
    created = api.post("/prospects", {"name": "Acme Roofing", **DETAILS})
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in DETAILS} == DETAILS
    read = api.get(f"/prospects/{body['id']}").json()
    assert {k: read[k] for k in DETAILS} == DETAILS

    changed = api.patch(f"/prospects/{body['id']}", {"x_date": "2027-02-01", "premium": None})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["x_date"], changed.json()["premium"]) == ("2027-02-01", None)
    assert changed.json()["current_carrier"] == "Travelers"  # not sent, not changed
    prospect = Prospect.objects.get(pk=body["id"])
    assert (str(prospect.x_date), prospect.premium, prospect.phone) == (
        "2027-02-01", None, "(312) 555-0142")


def test_a_prospect_without_details_reads_them_empty(api):
    body = api.post("/prospects", {"name": "Lopez Family"}).json()
    assert (body["client_type"], body["phone"], body["premium"], body["x_date"]) == (
        "household", "", None, None)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("premium", "-5", "A premium cannot be negative."),
    ("phone", "not a phone", "Enter a phone number like 555-201-4477 or +1 555 201 4477."),
    ("email", "dana at acme", "Enter an email address like pat@example.com."),
])
def test_a_bad_detail_is_refused_next_to_its_field(api, producer, field, value, message):
    prospect = api.post("/prospects", {"name": "Acme"}).json()
    response = api.patch(f"/prospects/{prospect['id']}", {field: value})
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    created = api.post("/prospects", {"name": "Other", field: value})
    assert created.status_code == 400
    assert Prospect.objects.count() == 1
