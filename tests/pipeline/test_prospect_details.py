"""What an insurance producer knows about a prospect (issue 15): the form takes and checks it,
the page shows it with the phone as a tel: link, and a bad value is refused next to its field
with nothing saved."""

import datetime as dt
import html as html_lib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.details import tel_href
from pipeline.models import Prospect
from pipeline.services import prospect_create
from salesculture.models import AuditEvent

NEW = reverse("pipeline:prospect_new")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def new_prospect(**changes) -> dict:
    return {"name": "Acme Roofing", "line_of_business": "commercial", "estimated_revenue": "4000",
            "client_type": "business", "contact_name": "Dana Reyes", "phone": "(312) 555-0142",
            "email": "dana@acme.example", "current_carrier": "Travelers",
            "current_premium": "18400", "premium": "16900", "x_date": "2027-01-15",
            "next_step": "", "next_step_due": "", "source": "", **changes}


def test_a_new_prospect_keeps_its_contact_carrier_premiums_and_x_date(producer_client, producer):
    data = new_prospect()
    data["stage"] = producer.agency.stages.get(name="Lead").pk
    response = producer_client.post(NEW, data)
    prospect = Prospect.objects.get(owner=producer)
    assert response.status_code == 302
    assert (prospect.client_type, prospect.contact_name, prospect.phone, prospect.email,
            prospect.current_carrier, prospect.current_premium, prospect.premium,
            prospect.x_date) == ("business", "Dana Reyes", "(312) 555-0142", "dana@acme.example",
                                 "Travelers", Decimal("18400"), Decimal("16900"),
                                 dt.date(2027, 1, 15))
    page = text(producer_client.get(reverse("pipeline:prospect", args=[prospect.pk])))
    assert 'href="tel:3125550142"' in page
    assert "Dana Reyes" in page and "Travelers" in page and "$16,900 a year" in page
    assert "Fri Jan 15, 2027" in page and "Business" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("premium", "-10", "A premium cannot be negative."),
    ("current_premium", "-1", "A premium cannot be negative."),
    ("email", "dana at acme", "Enter an email address like pat@example.com."),
    ("phone", "call me maybe", "Enter a phone number like 555-201-4477"),
    ("phone", "12345", "Enter a phone number like 555-201-4477"),
    ("x_date", "next spring", "Enter a valid date."),
])
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_saved(producer_client, producer,
                                                                        field, value, message):
    prospect = prospect_create(owner=producer, name="Acme Roofing")
    url = reverse("pipeline:prospect_edit", args=[prospect.pk])
    response = producer_client.post(url, new_prospect(**{field: value}))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message.split("<")[0] in text(response)
    prospect.refresh_from_db()
    assert (prospect.contact_name, prospect.premium, prospect.x_date) == ("", None, None)


def test_editing_the_details_is_audited(producer_client, producer):
    prospect = prospect_create(owner=producer, name="Acme Roofing")
    url = reverse("pipeline:prospect_edit", args=[prospect.pk])
    assert producer_client.post(url, new_prospect()).status_code == 302
    event = AuditEvent.objects.get(kind="prospect.edited", subject_id=prospect.pk)
    assert event.changes["x_date"] == [None, "2027-01-15"]
    assert event.changes["premium"] == [None, "16900.00"]


def test_the_service_refuses_what_the_form_would(producer):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as refused:
        prospect_create(owner=producer, name="Acme", details={"phone": "abc", "premium": -5})
    assert set(refused.value.message_dict) == {"phone", "premium"}
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(("phone", "href"), [
    ("(312) 555-0142", "tel:3125550142"),
    ("+1 312 555 0142", "tel:+13125550142"),
    ("312.555.0142 ext. 12", "tel:3125550142,12"),
    ("312-555-0142 x7", "tel:3125550142,7"),
])
def test_a_phone_number_becomes_a_link_a_phone_can_dial(phone, href):
    assert tel_href(phone) == href


def test_coming_back_from_a_call_offers_to_log_it_on_the_prospects_page(producer_client,
                                                                         producer):
    prospect = prospect_create(owner=producer, name="Acme", details={"phone": "312 555 0142"},
                               next_step="Call", next_step_due=timezone.localdate())
    page = text(producer_client.get(reverse("pipeline:prospect", args=[prospect.pk])))
    assert f'data-call-prospect="{prospect.pk}"' in page
    assert 'data-testid="log-call-prompt"' in page and "Log this call" in page
