from django.urls import reverse

from tests.pages import my_week_seen


def test_my_week_wins_feed_polls_for_the_producers_own_new_wins(producer_client, producer):
    page = my_week_seen(producer_client).content.decode()
    assert f"{reverse('accountability:live_wins')}?v=" in page
    assert f"producer={producer.pk}" in page
