"""Issue 15 item 4: search finds prospects by name, contact, phone (whatever its formatting)
or email, only among those the searcher may see; it answers as one types (htmx) and without
JavaScript (a GET form to the results page), in a fixed number of queries."""

import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Prospect
from pipeline.phones import phone_digits
from pipeline.search import SEARCH_LIMIT
from tests.conftest import login
from tests.factories import ProducerFactory, ProspectFactory, TeamFactory, stage
from tests.queries import queries_of

SEARCH = reverse("pipeline:search")


def text(response) -> str:
    """The page as a reader sees it: entities decoded, runs of white space one space."""
    return " ".join(html_lib.unescape(response.content.decode()).split())


def names_found(client, query: str, **headers) -> list[str]:
    response = client.get(SEARCH, {"q": query}, **headers)
    assert response.status_code == 200
    return sorted(p.name for p in response.context["results"].prospects)


@pytest.fixture
def world(agency, team, producer, leader, owner, other_producer):
    """Pat (producer) and a teammate in North, someone in South, and another agency: each
    with a prospect whose phone is typed a different way."""
    teammate = ProducerFactory(agency=agency, team=team, user__first_name="Tia")
    south = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"),
                            user__first_name="Sam")
    made = {
        "pat": ProspectFactory(owner=producer, name="Acme Roofing", contact_name="Ann Lee",
                               phone="(555) 123-4567", email="ann@acme.test"),
        "tia": ProspectFactory(owner=teammate, name="Acme Bakery", contact_name="Bo Diaz",
                               phone="555.123.4599"),
        "sam": ProspectFactory(owner=south, name="Acme Garage", phone="+1 555 123 4500"),
        "stranger": ProspectFactory(owner=other_producer, name="Acme Stranger",
                                    phone="555-123-4511", email="x@acme.test"),
    }
    return made


def test_a_phone_is_found_by_its_digits_however_it_was_typed(producer_client, world):
    assert names_found(producer_client, "5551234") == ["Acme Roofing"]
    assert names_found(producer_client, "555-123-4567") == ["Acme Roofing"]
    assert names_found(producer_client, "(555) 1234567") == ["Acme Roofing"]
    assert world["pat"].phone_digits == "5551234567"


@pytest.mark.parametrize("query", ["Ann Lee", "ann@acme", "acme roof", "ROOFING"])
def test_name_contact_and_email_find_the_prospect(producer_client, world, query):
    assert names_found(producer_client, query) == ["Acme Roofing"]


def test_a_producer_never_finds_a_colleagues_or_another_agencys_prospect(producer_client, world):
    # by name
    assert names_found(producer_client, "Acme") == ["Acme Roofing"]
    # by phone: all four numbers start 555-123-45..
    assert names_found(producer_client, "55512345") == ["Acme Roofing"]
    for query in ("Bakery", "Bo Diaz", "Garage", "Stranger", "x@acme.test", "5551234511",
                  "5551234599"):
        assert names_found(producer_client, query) == [], query
    page = text(producer_client.get(SEARCH, {"q": "Acme"}))
    assert "Acme Roofing" in page and "Bakery" not in page and "Stranger" not in page


def test_a_leader_finds_their_team_and_an_owner_the_agency(client, leader, owner, world):
    login(client, leader)
    assert names_found(client, "Acme") == ["Acme Bakery", "Acme Roofing"]
    assert names_found(client, "55512345") == ["Acme Bakery", "Acme Roofing"]
    client.logout()
    login(client, owner)
    assert names_found(client, "Acme") == ["Acme Bakery", "Acme Garage", "Acme Roofing"]
    assert names_found(client, "5551234500") == ["Acme Garage"]
    assert names_found(client, "5551234511") == []  # another agency's number


def test_a_deleted_prospect_never_appears(producer_client, producer, world):
    Prospect.all_objects.filter(pk=world["pat"].pk).update(deleted_at=timezone.now())
    assert names_found(producer_client, "Acme") == []
    assert names_found(producer_client, "5551234567") == []


def test_without_javascript_the_form_sends_to_a_results_page_with_links(producer_client, world):
    # The top bar on any page carries a GET form to the results page.
    week = text(producer_client.get(reverse("accountability:my_week")))
    assert f'action="{SEARCH}"' in week and 'method="get"' in week and 'name="q"' in week

    response = producer_client.get(SEARCH, {"q": "5551234"})

    page = text(response)
    assert "<h1>Search prospects</h1>" in page and 'value="5551234"' in page
    assert reverse("pipeline:prospect", args=[world["pat"].pk]) in page
    assert "Ann Lee" in page and "(555) 123-4567" in page


def test_as_one_types_htmx_gets_only_the_results(producer_client, world):
    response = producer_client.get(SEARCH, {"q": "roof"}, HTTP_HX_REQUEST="true",
                                   HTTP_HX_TARGET="nav-search-results")
    page = text(response)
    assert "<h1>" not in page and "<html" not in page
    assert "Acme Roofing" in page
    assert 'hx-trigger="input changed delay:300ms, search"' in text(
        producer_client.get(reverse("accountability:my_week")))


def test_short_and_empty_queries_say_what_to_do(producer_client, world):
    assert "Type at least 2" in text(producer_client.get(SEARCH, {"q": "a"}))
    assert "No prospect matches “zzz”" in text(producer_client.get(SEARCH, {"q": "zzz"}))
    assert "Acme" not in text(producer_client.get(SEARCH))


def test_results_are_limited_and_say_there_are_more(producer_client, producer):
    ProspectFactory.create_batch(SEARCH_LIMIT + 1, owner=producer, name="Delta Homes")
    response = producer_client.get(SEARCH, {"q": "delta"})
    assert len(response.context["results"].prospects) == SEARCH_LIMIT
    assert f"The first {SEARCH_LIMIT} are shown and there are more" in text(response)

    Prospect.objects.filter(owner=producer).first().delete()
    assert "there are more" not in text(producer_client.get(SEARCH, {"q": "delta"}))


@pytest.mark.parametrize("htmx", [False, True])
def test_the_query_count_does_not_grow_with_the_prospects(client, owner, producer, htmx):
    login(client, owner)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "search-results"} if htmx else {}
    ProspectFactory.create_batch(3, owner=producer, name="Echo Farm", phone="555 000 1111")
    small = queries_of(client.get, SEARCH, {"q": "echo"}, **headers)
    teammates = ProducerFactory.create_batch(3, agency=owner.agency)
    for person in teammates:
        ProspectFactory.create_batch(20, owner=person, name="Echo Farm",
                                     stage=stage(owner.agency, "Contacted"))
    large = queries_of(client.get, SEARCH, {"q": "echo"}, **headers)
    assert small == large
    by_phone = queries_of(client.get, SEARCH, {"q": "5550001111"}, **headers)
    assert by_phone == large


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(SEARCH, {"q": "acme"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_write_path_keeps_the_digits(producer):
    made = ProspectFactory(owner=producer, phone="(555) 010-9999")
    assert made.phone_digits == "5550109999"
    made.phone = "555-777-8888 ext. 12"
    made.save()
    made.refresh_from_db()
    assert made.phone_digits == "555777888812"
    # An import inserts with bulk_create: the field computes its digits there too.
    [bulk] = Prospect.objects.bulk_create([Prospect(
        agency=producer.agency, owner=producer, name="Bulk", phone="555 222 3333",
        stage=stage(producer.agency, "Lead"), stage_entered_at=timezone.now())])
    assert Prospect.objects.get(pk=bulk.pk).phone_digits == "5552223333"
    assert phone_digits("٥٥٥ 12") == "12"  # only ASCII digits are dialled


def test_on_postgresql_three_letters_are_found_through_the_trigram_index(db):
    """At a real agency's size (95,000 prospects) a scan took 60 ms a keystroke; the index
    over exactly what the search compares answers any part of a name, contact, email or
    number in about 2."""
    from django.db import connection

    from pipeline.search import search_matches

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no trigram index")
    sql, params = Prospect.objects.filter(search_matches("smi 5551")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pipeline_prospect_search_trgm" in plan, plan
