import html as html_lib
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, ProspectFactory

PROFILE = reverse("profile")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_profile_shows_the_current_why_goal_and_digest(producer_client, producer):
    html = text(producer_client.get(PROFILE))
    assert "For my family." in html
    assert 'name="annual_goal" value="120000"' in html
    assert 'name="digest_enabled" id="id_digest_enabled" checked' in html
    assert f'<a href="{reverse("accountability:plan")}">What your goal asks of each week' in html


def test_edit_why_goal_and_digest(producer_client, producer):
    response = producer_client.post(PROFILE, {
        "action": "profile", "why": "  So my kids see me keep my word.  ",
        "annual_goal": "150000"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.why == "So my kids see me keep my word."
    assert producer.annual_goal == Decimal("150000")
    assert producer.digest_enabled is False
    assert "Profile saved." in text(producer_client.get(PROFILE))


def test_a_negative_goal_is_refused_and_the_why_typed_is_kept(producer_client, producer):
    response = producer_client.post(PROFILE, {"action": "profile", "why": "New why",
                                              "annual_goal": "-1", "digest_enabled": "on"})
    html = text(response)
    assert response.status_code == 400
    assert "The goal cannot be negative." in html and "New why" in html
    producer.refresh_from_db()
    assert producer.why == "For my family."


def test_change_password_keeps_the_user_logged_in(producer_client, producer):
    response = producer_client.post(PROFILE, {
        "action": "password", "old_password": PASSWORD, "new_password1": "a-new-secret-42",
        "new_password2": "a-new-secret-42"})
    assert response.status_code == 302
    producer.user.refresh_from_db()
    assert producer.user.check_password("a-new-secret-42")
    assert producer_client.get(PROFILE).status_code == 200


def test_wrong_old_password_is_refused(producer_client, producer):
    response = producer_client.post(PROFILE, {
        "action": "password", "old_password": "nope", "new_password1": "a-new-secret-42",
        "new_password2": "a-new-secret-42"})
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in text(response)
    producer.user.refresh_from_db()
    assert producer.user.check_password(PASSWORD)


def test_profile_needs_a_login(client):
    assert "/login/" in client.get(PROFILE)["Location"]


def test_profile_query_count_does_not_grow(producer_client, producer):
    ProspectFactory.create_batch(5, owner=producer)
    with CaptureQueriesContext(connection) as small:
        producer_client.get(PROFILE)
    ProspectFactory.create_batch(195, owner=producer)
    with CaptureQueriesContext(connection) as large:
        producer_client.get(PROFILE)
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
    print(f"profile queries: {len(large.captured_queries)}")
