from django.urls import reverse


def test_my_week_wins_feed_polls_for_the_producers_own_new_wins(producer_client, producer):
    page = producer_client.get(reverse("accountability:my_week")).content.decode()
    assert f"{reverse('accountability:live_wins')}?v=" in page
    assert f"producer={producer.pk}" in page
