"""`next` after the why page and the check-in: a path of this site is followed; another
site, a scheme trick or a bare word goes to the default page (never a 500, never away)."""

import pytest
from django.urls import reverse

FOREIGN = ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
           "http:/evil.example"]
BARE_WORDS = ["0", "home", "profile", "accountability:team", "x" * 300]


@pytest.mark.parametrize("value", FOREIGN + BARE_WORDS)
def test_the_why_page_goes_home_for_a_next_that_is_not_a_path_of_this_site(producer_client,
                                                                           value):
    response = producer_client.post(reverse("accountability:welcome"), {
        "why": "Paying off my parents' mortgage.", "next": value})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("value", FOREIGN + BARE_WORDS)
def test_a_check_in_goes_back_to_my_week_for_a_next_that_is_not_a_path_of_this_site(
        producer_client, value):
    response = producer_client.post(reverse("accountability:check_in"), {
        "process": 4, "pipeline": 3, "team": 5, "next": value})

    assert response.status_code == 302
    assert response["Location"] == reverse("accountability:my_week")


def test_a_path_of_this_site_is_followed(producer_client):
    response = producer_client.post(reverse("accountability:check_in"), {
        "process": 4, "pipeline": 3, "team": 5, "next": "/team/?week=2026-11-16"})
    assert response["Location"] == "/team/?week=2026-11-16"
    response = producer_client.post(reverse("accountability:welcome"), {
        "why": "Paying off my parents' mortgage.", "next": "/plan/"})
    assert response["Location"] == "/plan/"


@pytest.mark.parametrize("value", FOREIGN)
def test_logging_in_never_leaves_the_site(client, producer, value):
    response = client.post(f"{reverse('login')}?next={value}", {
        "username": producer.user.username, "password": "test-pass-123", "next": value})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
